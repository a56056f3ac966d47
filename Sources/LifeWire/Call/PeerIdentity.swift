/// Who is on the other end of a connection, as the transport proved it.
public enum PeerIdentity: Sendable, Hashable {
    /// A local process on the Unix socket; credentials read from the kernel (SO_PEERCRED).
    case unix(UnixPeer)
    /// A remote appliance on the TLS listener; the client certificate it presented.
    case tls(TLSPeer)
}

/// Kernel-reported credentials of a Unix socket peer.
public struct UnixPeer: Sendable, Hashable {
    public let pid: Int32
    public let uid: UInt32
    public let gid: UInt32

    public init(pid: Int32, uid: UInt32, gid: UInt32) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }
}

/// The verified client certificate of a TLS peer.
public struct TLSPeer: Sendable, Hashable {
    /// SHA-256 of the certificate's DER, lower-case hex.
    public let fingerprint: String
    /// The subject distinguished name, RFC 4514 style.
    public let subject: String
    /// The certificate's serial number, lower-case hex.
    public let serialNumber: String
    /// The remote address, for logs.
    public let remoteAddress: String
    /// The certificate itself (DER), for rules that read more of it than the above.
    public let certificateDER: [UInt8]
    /// Whether the CA its chain is anchored at may name the facility in the subject attribute
    /// (`tls.facility_attribute_ca`); when false only a registered fingerprint maps it to a
    /// facility. Set by the TLS listener when it admits the peer.
    public let facilityAttributeTrusted: Bool
    /// The CA certificates (DER) between this certificate and the trust anchor on the path the
    /// handshake validated, issuer of the leaf first (usually none), so the connection can be
    /// judged again against CRLs loaded or gone stale since. Set by the TLS listener when it
    /// admits the peer; empty before.
    public let validatedIntermediates: [[UInt8]]

    public init(
        fingerprint: String, subject: String, serialNumber: String, remoteAddress: String, certificateDER: [UInt8],
        facilityAttributeTrusted: Bool = false, validatedIntermediates: [[UInt8]] = []
    ) {
        self.fingerprint = fingerprint
        self.subject = subject
        self.serialNumber = serialNumber
        self.remoteAddress = remoteAddress
        self.certificateDER = certificateDER
        self.facilityAttributeTrusted = facilityAttributeTrusted
        self.validatedIntermediates = validatedIntermediates
    }
}
