import Foundation

/// A login account of a facility (職員).
public struct StaffMember: Sendable, Hashable {
    /// Storage identity; nil until stored.
    public var id: Int64?
    public var facility: FacilityNumber
    /// Unique within the facility.
    public var loginID: String
    public var displayName: String
    public var role: StaffRole
    /// Encoded password hash (`PasswordHasher`); never a password.
    public var passwordHash: String
    public var mustChangePassword: Bool
    public var disabled: Bool
    public var failedLoginCount: Int
    public var lockedUntil: Date?
    public var lastLoginAt: Date?
    public var createdAt: Date
    public var updatedAt: Date
    /// Raised by every change to the account (profile, disabled, password); login bookkeeping
    /// (failures, lock, last login) leaves it alone.
    public var version: Int64

    public init(
        id: Int64? = nil,
        facility: FacilityNumber,
        loginID: String,
        displayName: String,
        role: StaffRole,
        passwordHash: String,
        mustChangePassword: Bool,
        disabled: Bool = false,
        failedLoginCount: Int = 0,
        lockedUntil: Date? = nil,
        lastLoginAt: Date? = nil,
        createdAt: Date,
        updatedAt: Date,
        version: Int64 = 1
    ) {
        self.id = id
        self.facility = facility
        self.loginID = loginID
        self.displayName = displayName
        self.role = role
        self.passwordHash = passwordHash
        self.mustChangePassword = mustChangePassword
        self.disabled = disabled
        self.failedLoginCount = failedLoginCount
        self.lockedUntil = lockedUntil
        self.lastLoginAt = lastLoginAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.version = version
    }

    /// Locked at `now`.
    public func isLocked(at now: Date) -> Bool {
        lockedUntil.map { $0 > now } ?? false
    }
}
