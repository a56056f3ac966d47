/// Where the TLS listener's files are, which protocol versions it accepts and how it judges CRLs.
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
    /// Seconds a CRL is still used after its nextUpdate (`tls.crl_grace_period`).
    public var crlGracePeriod: Double = 0
    /// Whether a CRL outside thisUpdate…nextUpdate + grace refuses its CA's certificates
    /// (`tls.crl_enforce_next_update`); false is the explicit opt-out of failing closed.
    public var enforceCRLNextUpdate = true
    /// PEM bundle of the CAs whose certificates may name the facility in the subject attribute
    /// (`tls.facility_attribute_ca`); nil: every CA of `clientCAPath`. Each must be in that bundle.
    public var facilityAttributeCAPath: String?

    public init(certificatePath: String, privateKeyPath: String, clientCAPath: String, crlPaths: [String] = [], allowTLS12: Bool = false) {
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
        self.clientCAPath = clientCAPath
        self.crlPaths = crlPaths
        self.allowTLS12 = allowTLS12
    }
}
