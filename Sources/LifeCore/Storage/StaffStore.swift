import Foundation

/// Staff accounts and their login state.
public protocol StaffStore: Sendable {
    /// Returns the member with its id. Throws `alreadyExists` for a login id taken in the
    /// facility, `notFound` for an unknown facility.
    func createStaffMember(_ member: StaffMember) async throws -> StaffMember
    func staffMember(facility: FacilityNumber, loginID: String) async throws -> StaffMember?
    func staffMember(id: Int64) async throws -> StaffMember?
    func staffMembers(facility: FacilityNumber) async throws -> [StaffMember]
    /// Sets display name and role, nothing else, so an edit cannot undo a password reset or a
    /// disable made meanwhile. Returns the member as stored. Throws `notFound`.
    func updateStaffProfile(staffID: Int64, displayName: String, role: StaffRole, at time: Date) async throws -> StaffMember
    /// Sets the disabled flag, nothing else. Returns the member as stored. Throws `notFound`.
    func setStaffDisabled(staffID: Int64, disabled: Bool, at time: Date) async throws -> StaffMember
    /// Replaces the password hash if it is still `expectedHash` (the one the caller checked or
    /// read before hashing) and sets the must-change flag. Throws `versionConflict` when the
    /// password changed meanwhile (a reset while a ChangePassword was hashing, say), `notFound`.
    func replacePassword(staffID: Int64, expectedHash: String, newHash: String, mustChange: Bool, at time: Date) async throws
        -> StaffMember
    /// Clears the failure count and the lock. Throws `notFound`.
    func unlockStaffMember(staffID: Int64, at time: Date) async throws

    /// Counts a failed password in one transaction: locks the account until
    /// `time + lockDuration` when this failure reaches `lockAfter` (and restarts the count).
    /// Returns the member as stored afterwards.
    func recordFailedLogin(staffID: Int64, at time: Date, lockAfter: Int, lockDuration: Duration) async throws -> StaffMember
    /// Clears the failure count and records the login time.
    func recordSuccessfulLogin(staffID: Int64, at time: Date) async throws
}
