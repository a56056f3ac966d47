import Foundation

/// Facilities and the certificates registered to them.
public protocol DirectoryUnitOfWork {
    /// Throws `alreadyExists` for a number already present.
    func createFacility(_ facility: Facility) throws
    func facility(_ number: FacilityNumber) throws -> Facility?
    /// Up to `limit` facilities in number order, after `after`; disabled ones only when asked.
    func facilities(includeDisabled: Bool, after: FacilityNumber?, limit: Int) throws -> [Facility]
    func countFacilities(includeDisabled: Bool) throws -> Int
    /// Sets the disabled flag; returns the facility as stored. Throws `notFound`.
    func setFacilityDisabled(_ number: FacilityNumber, disabled: Bool, at time: Date) throws -> Facility

    /// Throws `notFound` for an unknown facility, `alreadyExists` for a fingerprint in force.
    func registerCertificate(_ registration: CertificateRegistration) throws
    /// Up to `limit` registrations (of one facility, or all) ordered by facility, registration
    /// time and fingerprint, after `after`; revoked ones only when asked.
    func certificateRegistrations(
        facility: FacilityNumber?, includeRevoked: Bool, after: CertificateRegistrationCursor?, limit: Int
    ) throws -> [CertificateRegistration]
    func countCertificateRegistrations(facility: FacilityNumber?, includeRevoked: Bool) throws -> Int
    /// Revokes the registration in force for `fingerprint`; returns it as stored. Throws
    /// `notFound` when none is in force.
    func revokeCertificate(fingerprint: String, at time: Date) throws -> CertificateRegistration
    /// The registration in force for a fingerprint, if any.
    func activeCertificateRegistration(fingerprint: String) throws -> CertificateRegistration?
}

/// Where a page of certificate registrations ends.
public struct CertificateRegistrationCursor: Sendable, Hashable {
    public var facility: FacilityNumber
    public var registeredAt: Date
    public var fingerprint: String

    public init(facility: FacilityNumber, registeredAt: Date, fingerprint: String) {
        self.facility = facility
        self.registeredAt = registeredAt
        self.fingerprint = fingerprint
    }
}
