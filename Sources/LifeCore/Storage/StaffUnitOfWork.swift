import Foundation

/// Staff accounts and their login state. Every write changes only the columns it names, so no
/// write can undo another made meanwhile; account changes (profile, disabled, password) raise the
/// member's `version`, login bookkeeping (failures, lock, last login) does not.
public protocol StaffUnitOfWork {
    /// Returns the member with its id and version 1. Throws `alreadyExists` for a login id taken
    /// in the facility, `notFound` for an unknown facility.
    func createStaffMember(_ member: StaffMember) throws -> StaffMember
    func staffMember(facility: FacilityNumber, loginID: String) throws -> StaffMember?
    func staffMember(id: Int64) throws -> StaffMember?
    /// Up to `limit` members of `facility` in login-id order after `after`, selected by `filter`.
    func staffMembers(facility: FacilityNumber, filter: StaffFilter, after: String?, limit: Int) throws -> [StaffMember]
    func countStaffMembers(facility: FacilityNumber, filter: StaffFilter) throws -> Int
    /// Enabled facility admins of `facility`.
    func countEnabledAdmins(facility: FacilityNumber) throws -> Int
    /// Sets display name and role if the member's version is still `expectedVersion` (nil: any).
    /// Returns the member as stored. Throws `notFound`, `versionConflict`.
    func updateStaffProfile(staffID: Int64, displayName: String, role: StaffRole, expectedVersion: Int64?, at time: Date) throws
        -> StaffMember
    /// Sets the disabled flag. Returns the member as stored. Throws `notFound`.
    func setStaffDisabled(staffID: Int64, disabled: Bool, at time: Date) throws -> StaffMember
    /// Replaces the password hash if it is still `expectedHash` (the one the caller checked or
    /// read before hashing) and sets the must-change flag. Throws `versionConflict` when the
    /// password changed meanwhile (a reset while a ChangePassword was hashing, say), `notFound`.
    func replacePassword(staffID: Int64, expectedHash: String, newHash: String, mustChange: Bool, at time: Date) throws -> StaffMember
    /// Clears the failure count and the lock; returns the member as stored. Throws `notFound`.
    func unlockStaffMember(staffID: Int64, at time: Date) throws -> StaffMember
    /// Counts a failed password: locks the account until `time + lockDuration` when this failure
    /// reaches `lockAfter` (and restarts the count); `lockAfter` below 1 never locks. Returns the
    /// member as stored afterwards.
    func recordFailedLogin(staffID: Int64, at time: Date, lockAfter: Int, lockDuration: Duration) throws -> StaffMember
    /// Clears the failure count and records the login time.
    func recordSuccessfulLogin(staffID: Int64, at time: Date) throws
}

/// Which staff members a listing selects.
public struct StaffFilter: Sendable, Hashable {
    /// Only this role; nil: every role.
    public var role: StaffRole?
    public var includeDisabled: Bool

    public init(role: StaffRole? = nil, includeDisabled: Bool = false) {
        self.role = role
        self.includeDisabled = includeDisabled
    }

    /// A stable text naming the filter, to bind page tokens to it.
    public var canonicalDescription: String { "r=\(role?.rawValue ?? "")\u{1F}d=\(includeDisabled)" }
}
