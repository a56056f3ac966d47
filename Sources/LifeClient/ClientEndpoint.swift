/// Where and how a client connects.
public enum ClientEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// The admin Unix socket.
    case unix(path: String)
    /// The TLS listener, with a facility's client certificate.
    case tls(host: String, port: Int, options: TLSClientOptions)

    public var description: String {
        switch self {
        case .unix(let path): "unix:\(path)"
        case .tls(let host, let port, _): host.contains(":") ? "tls:[\(host)]:\(port)" : "tls:\(host):\(port)"
        }
    }
}

/// The files and versions of a TLS client.
public struct TLSClientOptions: Sendable, Hashable {
    /// PEM bundle of CAs that may sign the server's certificate.
    public var caPath: String
    /// PEM client certificate (chain); nil connects without one (the server refuses that).
    public var certificatePath: String?
    /// PEM private key of the client certificate.
    public var privateKeyPath: String?
    /// Name to verify the server certificate against; nil verifies the address connected to.
    public var serverName: String?
    /// Offer only TLS 1.2 (for testing that the server refuses it).
    public var onlyTLS12: Bool

    public init(caPath: String, certificatePath: String?, privateKeyPath: String?, serverName: String? = nil, onlyTLS12: Bool = false) {
        self.caPath = caPath
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
        self.serverName = serverName
        self.onlyTLS12 = onlyTLS12
    }
}
