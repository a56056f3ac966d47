import Foundation
import LifeCore

/// One-statement units of work, so behaviour tests read as the operations they check. Written
/// against `LifeStorage`, so every backend gets them.
extension LifeStorage {
    func createFacility(_ facility: Facility) async throws { try await unitOfWork { try $0.createFacility(facility) } }
    func facility(_ number: FacilityNumber) async throws -> Facility? { try await snapshot { try $0.facility(number) } }
    /// Every facility, disabled ones included.
    func facilities() async throws -> [Facility] {
        try await snapshot { try $0.facilities(includeDisabled: true, after: nil, limit: .max) }
    }
    @discardableResult
    func setFacilityDisabled(_ number: FacilityNumber, disabled: Bool, at time: Date) async throws -> Facility {
        try await unitOfWork { try $0.setFacilityDisabled(number, disabled: disabled, at: time) }
    }
    func registerCertificate(_ registration: CertificateRegistration) async throws {
        try await unitOfWork { try $0.registerCertificate(registration) }
    }
    /// Every registration (of one facility), revoked ones included.
    func certificateRegistrations(facility: FacilityNumber?) async throws -> [CertificateRegistration] {
        try await snapshot { try $0.certificateRegistrations(facility: facility, includeRevoked: true, after: nil, limit: .max) }
    }
    @discardableResult
    func revokeCertificate(fingerprint: String, at time: Date) async throws -> CertificateRegistration {
        try await unitOfWork { try $0.revokeCertificate(fingerprint: fingerprint, at: time) }
    }
    func activeCertificateRegistration(fingerprint: String) async throws -> CertificateRegistration? {
        try await snapshot { try $0.activeCertificateRegistration(fingerprint: fingerprint) }
    }

    func createStaffMember(_ member: StaffMember) async throws -> StaffMember { try await unitOfWork { try $0.createStaffMember(member) } }
    func staffMember(facility: FacilityNumber, loginID: String) async throws -> StaffMember? {
        try await snapshot { try $0.staffMember(facility: facility, loginID: loginID) }
    }
    func staffMember(id: Int64) async throws -> StaffMember? { try await snapshot { try $0.staffMember(id: id) } }
    /// Every member of `facility`, disabled ones included.
    func staffMembers(facility: FacilityNumber) async throws -> [StaffMember] {
        try await snapshot { try $0.staffMembers(facility: facility, filter: StaffFilter(includeDisabled: true), after: nil, limit: .max) }
    }
    func updateStaffProfile(staffID: Int64, displayName: String, role: StaffRole, expectedVersion: Int64? = nil, at time: Date)
        async throws -> StaffMember
    {
        try await unitOfWork {
            try $0.updateStaffProfile(staffID: staffID, displayName: displayName, role: role, expectedVersion: expectedVersion, at: time)
        }
    }
    func setStaffDisabled(staffID: Int64, disabled: Bool, at time: Date) async throws -> StaffMember {
        try await unitOfWork { try $0.setStaffDisabled(staffID: staffID, disabled: disabled, at: time) }
    }
    func replacePassword(staffID: Int64, expectedHash: String, newHash: String, mustChange: Bool, at time: Date) async throws
        -> StaffMember
    {
        try await unitOfWork {
            try $0.replacePassword(staffID: staffID, expectedHash: expectedHash, newHash: newHash, mustChange: mustChange, at: time)
        }
    }
    @discardableResult
    func unlockStaffMember(staffID: Int64, at time: Date) async throws -> StaffMember {
        try await unitOfWork { try $0.unlockStaffMember(staffID: staffID, at: time) }
    }
    @discardableResult
    func recordFailedLogin(staffID: Int64, at time: Date, lockAfter: Int, lockDuration: Duration) async throws -> StaffMember {
        try await unitOfWork { try $0.recordFailedLogin(staffID: staffID, at: time, lockAfter: lockAfter, lockDuration: lockDuration) }
    }
    func recordSuccessfulLogin(staffID: Int64, at time: Date) async throws {
        try await unitOfWork { try $0.recordSuccessfulLogin(staffID: staffID, at: time) }
    }

    func createSession(_ session: Session) async throws { try await unitOfWork { try $0.createSession(session) } }
    func session(tokenHash: String) async throws -> Session? { try await snapshot { try $0.session(tokenHash: tokenHash) } }
    func sessionWithOwner(tokenHash: String) async throws -> (session: Session, staff: StaffMember, facility: Facility)? {
        try await snapshot { try $0.sessionWithOwner(tokenHash: tokenHash) }
    }
    func touchSession(tokenHash: String, at time: Date) async throws {
        try await unitOfWork { try $0.touchSession(tokenHash: tokenHash, at: time) }
    }
    func revokeSession(tokenHash: String, at time: Date) async throws {
        try await unitOfWork { try $0.revokeSession(tokenHash: tokenHash, at: time) }
    }
    func deleteEndedSessions(endedBefore time: Date, idleBefore: Date) async throws -> Int {
        try await unitOfWork { try $0.deleteEndedSessions(endedBefore: time, idleBefore: idleBefore) }
    }
    func revokeSessions(staffID: Int64, keeping tokenHash: String?, at time: Date) async throws -> Int {
        try await unitOfWork { try $0.revokeSessions(staffID: staffID, keeping: tokenHash, at: time) }
    }

    @discardableResult
    func appendAudit(_ event: AuditEvent) async throws -> AuditRecord { try await unitOfWork { try $0.appendAudit(event) } }
    func auditRecords(matching filter: AuditFilter, before: Int64?, limit: Int) async throws -> [AuditRecord] {
        try await snapshot { try $0.auditRecords(matching: filter, before: before, limit: limit) }
    }
    /// The newest `limit` records, oldest first.
    func recentAudit(limit: Int) async throws -> [AuditRecord] {
        Array(try await auditRecords(matching: AuditFilter(), before: nil, limit: limit).reversed())
    }
}
