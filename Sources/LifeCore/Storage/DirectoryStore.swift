import Foundation

/// Facilities and the certificates registered to them.
public protocol DirectoryStore: Sendable {
    /// Throws `alreadyExists` for a number already present.
    func createFacility(_ facility: Facility) async throws
    func facility(_ number: FacilityNumber) async throws -> Facility?
    func facilities() async throws -> [Facility]
    /// Throws `notFound` for an unknown number.
    func setFacilityDisabled(_ number: FacilityNumber, disabled: Bool, at time: Date) async throws

    /// Throws `notFound` for an unknown facility, `alreadyExists` for a fingerprint in force.
    func registerCertificate(_ registration: CertificateRegistration) async throws
    /// All registrations, or those of one facility, revoked ones included.
    func certificateRegistrations(facility: FacilityNumber?) async throws -> [CertificateRegistration]
    /// Throws `notFound` when no registration of that fingerprint is in force.
    func revokeCertificate(fingerprint: String, at time: Date) async throws
    /// The registration in force for a fingerprint, if any.
    func activeCertificateRegistration(fingerprint: String) async throws -> CertificateRegistration?
}
