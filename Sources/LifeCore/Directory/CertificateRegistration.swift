import Foundation

/// A client certificate registered, by its SHA-256 fingerprint, as proof of one facility.
public struct CertificateRegistration: Sendable, Hashable {
    /// SHA-256 of the certificate's DER, 64 lower-case hex digits.
    public var fingerprint: String
    public var facility: FacilityNumber
    /// Subject DN when the certificate itself was given; empty otherwise.
    public var subject: String
    /// notAfter when the certificate itself was given.
    public var notAfter: Date?
    public var note: String
    public var registeredAt: Date
    public var revokedAt: Date?

    public init(
        fingerprint: String,
        facility: FacilityNumber,
        subject: String = "",
        notAfter: Date? = nil,
        note: String = "",
        registeredAt: Date,
        revokedAt: Date? = nil
    ) {
        self.fingerprint = fingerprint
        self.facility = facility
        self.subject = subject
        self.notAfter = notAfter
        self.note = note
        self.registeredAt = registeredAt
        self.revokedAt = revokedAt
    }
}
