/// Where the TLS listener's files are and which protocol versions it accepts.
public struct TLSSettings: Sendable, Hashable {
    /// PEM file with the server certificate, then any intermediates.
    public var certificatePath: String
    /// PEM file with the server's private key.
    public var privateKeyPath: String
    /// PEM bundle of the CAs whose client certificates are accepted.
    public var clientCAPath: String
    /// CRL files (PEM or DER), each signed by a CA of the bundle; empty disables revocation checks.
    public var crlPaths: [String]
    /// Accept TLS 1.2 clients as well as 1.3.
    public var allowTLS12: Bool

    public init(certificatePath: String, privateKeyPath: String, clientCAPath: String, crlPaths: [String] = [], allowTLS12: Bool = false) {
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
        self.clientCAPath = clientCAPath
        self.crlPaths = crlPaths
        self.allowTLS12 = allowTLS12
    }
}
