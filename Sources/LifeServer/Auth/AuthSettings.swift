import LifeCore

/// How staff authenticate: where a certificate's facility comes from, and the login rules.
public struct AuthSettings: Sendable, Hashable {
    /// Subject attribute (dotted OID) that carries the facility number in facility certificates,
    /// e.g. 2.5.4.5 (serialNumber); nil: only registered fingerprints map certificates.
    public var facilitySubjectAttribute: String? = "2.5.4.5"
    /// Check the 事業所番号 check digit.
    public var checkFacilityNumberDigit = true
    public var login = LoginPolicy()
    public var passwords = PasswordPolicy()
    public var scrypt = ScryptPasswordHasher.Parameters.owasp
    /// Password hashes computed at once (each takes a core for ~0.3 s).
    public var hashConcurrency = 1
    /// Logins (and password changes) waiting for a hash, per client certificate and in all;
    /// beyond either, a login is refused at once with RESOURCE_EXHAUSTED.
    public var loginQueuePerCertificate = 4
    public var loginQueueTotal = 64

    public init() {}
}
