import Foundation

/// Staff accounts and their login state.
public protocol StaffStore: Sendable {
    /// Returns the member with its id. Throws `alreadyExists` for a login id taken in the
    /// facility, `notFound` for an unknown facility.
    func createStaffMember(_ member: StaffMember) async throws -> StaffMember
    func staffMember(facility: FacilityNumber, loginID: String) async throws -> StaffMember?
    func staffMember(id: Int64) async throws -> StaffMember?
    func staffMembers(facility: FacilityNumber) async throws -> [StaffMember]
    /// Writes the account fields of the member matched by id: display name, role, password hash,
    /// must-change flag, disabled, updated time. Never the login bookkeeping (failure count, lock,
    /// last login), so a read-modify-write cannot undo failures counted in between. Throws `notFound`.
    func updateStaffMember(_ member: StaffMember) async throws
    /// Clears the failure count and the lock. Throws `notFound`.
    func unlockStaffMember(staffID: Int64, at time: Date) async throws

    /// Counts a failed password in one transaction: locks the account until
    /// `time + lockDuration` when this failure reaches `lockAfter` (and restarts the count).
    /// Returns the member as stored afterwards.
    func recordFailedLogin(staffID: Int64, at time: Date, lockAfter: Int, lockDuration: Duration) async throws -> StaffMember
    /// Clears the failure count and records the login time.
    func recordSuccessfulLogin(staffID: Int64, at time: Date) async throws
}
