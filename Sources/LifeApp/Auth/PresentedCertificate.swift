import LifeCore

/// The client certificate a login comes with, as the transport verified it.
public struct PresentedCertificate: Sendable, Hashable {
    /// SHA-256 of the certificate's DER, lower-case hex.
    public var fingerprint: String
    /// The facility the certificate's subject names (the configured attribute), if any. A
    /// registration of the fingerprint takes precedence.
    public var subjectFacility: FacilityNumber?

    public init(fingerprint: String, subjectFacility: FacilityNumber?) {
        self.fingerprint = fingerprint
        self.subjectFacility = subjectFacility
    }
}
