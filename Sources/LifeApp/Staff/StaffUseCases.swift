import Foundation
import LifeCore

/// A facility admin (管理ユーザー) manages the accounts of their own facility. Other roles get
/// `permissionDenied`; another facility's accounts do not exist (`notFound`). Every call is one
/// unit of work with its audit record; a change writes only the fields it means to.
public struct StaffUseCases: Sendable {
    private let store: any TransactionalStore
    private let hasher: any PasswordHasher
    private let passwords: PasswordPolicy
    private let clock: any WallClock
    private let tokens: PageTokenCodec

    public init(
        store: any TransactionalStore, hasher: any PasswordHasher, passwords: PasswordPolicy, clock: any WallClock = SystemClock(),
        tokens: PageTokenCodec = PageTokenCodec()
    ) {
        self.store = store
        self.hasher = hasher
        self.passwords = passwords
        self.clock = clock
        self.tokens = tokens
    }

    public func create(_ admin: StaffPrincipal, _ draft: StaffAccountDraft, initialPassword: String) async throws -> StaffMember {
        try Self.requireAdmin(admin)
        let now = clock.now()
        let member = try await StaffAccountRules.newAccount(
            draft, facility: admin.facility, initialPassword: initialPassword, policy: passwords, hasher: hasher, now: now)
        return try await store.unitOfWork { unit in
            let stored = try unit.createStaffMember(member)
            try unit.appendAudit(admin.auditEvent(time: now, target: Self.target(stored.loginID)))
            return stored
        }
    }

    /// The facility's accounts in login-id order, paged in storage.
    public func list(_ admin: StaffPrincipal, filter: StaffFilter, page: PageRequest) async throws -> Page<StaffMember> {
        try Self.requireAdmin(admin)
        let size = try page.resolvedSize()
        let scope = admin.facility.rawValue + "\u{1E}" + filter.canonicalDescription
        let after = try page.token.isEmpty ? nil : tokens.decode(payload: page.token, scope: scope)
        let now = clock.now()
        let tokens = self.tokens
        return try await store.unitOfWork { unit in
            let found = try unit.staffMembers(facility: admin.facility, filter: filter, after: after, limit: size + 1)
            try unit.appendAudit(admin.auditEvent(time: now, target: "staff"))
            return Page(found: found, size: size, totalSize: try unit.countStaffMembers(facility: admin.facility, filter: filter)) {
                tokens.encode(payload: $0.loginID, scope: scope)
            }
        }
    }

    public func get(_ admin: StaffPrincipal, loginID: String) async throws -> StaffMember {
        try Self.requireAdmin(admin)
        let now = clock.now()
        return try await store.unitOfWork { unit in
            let member = try Self.member(loginID, of: admin, in: unit)
            try unit.appendAudit(admin.auditEvent(time: now, target: Self.target(loginID)))
            return member
        }
    }

    /// Sets display name and role if the account is still at `expectedVersion`. Nobody changes
    /// their own role, and the facility keeps at least one enabled admin.
    public func update(_ admin: StaffPrincipal, loginID: String, displayName: String, role: StaffRole?, expectedVersion: Int64)
        async throws -> StaffMember
    {
        try Self.requireAdmin(admin)
        try StaffAccountRules.checkDisplayName(displayName, field: "staff_member.display_name")
        guard expectedVersion > 0 else {
            throw DomainError.invalidField(
                field: "expected_version", reason: "REQUIRED", message: "expected_version must be the version of the account as read")
        }
        let now = clock.now()
        return try await store.unitOfWork { unit in
            let member = try Self.member(loginID, of: admin, in: unit)
            let newRole = role ?? member.role
            if newRole != member.role {
                guard member.id != admin.staffID else { throw DomainError.failedPrecondition("you cannot change your own role") }
                if member.role == .facilityAdmin, !member.disabled, try unit.countEnabledAdmins(facility: admin.facility) <= 1 {
                    throw DomainError.failedPrecondition("the facility's last enabled admin keeps the admin role")
                }
            }
            let stored = try unit.updateStaffProfile(
                staffID: member.id!, displayName: displayName, role: newRole, expectedVersion: expectedVersion, at: now)
            try unit.appendAudit(admin.auditEvent(time: now, target: Self.target(loginID)))
            return stored
        }
    }

    /// Disabling also ends the account's sessions; nobody disables their own account or the
    /// facility's last enabled admin.
    public func setDisabled(_ admin: StaffPrincipal, loginID: String, disabled: Bool) async throws -> StaffMember {
        try Self.requireAdmin(admin)
        let now = clock.now()
        return try await store.unitOfWork { unit in
            let member = try Self.member(loginID, of: admin, in: unit)
            if disabled {
                guard member.id != admin.staffID else { throw DomainError.failedPrecondition("you cannot disable your own account") }
                if member.role == .facilityAdmin, !member.disabled, try unit.countEnabledAdmins(facility: admin.facility) <= 1 {
                    throw DomainError.failedPrecondition("the facility's last enabled admin cannot be disabled")
                }
            }
            let stored = try unit.setStaffDisabled(staffID: member.id!, disabled: disabled, at: now)
            if disabled { _ = try unit.revokeSessions(staffID: member.id!, keeping: nil, at: now) }
            try unit.appendAudit(admin.auditEvent(time: now, target: Self.target(loginID)))
            return stored
        }
    }

    /// Sets a temporary password that must be changed at the next login, clears the lock and ends
    /// the account's sessions.
    public func resetPassword(_ admin: StaffPrincipal, loginID: String, temporaryPassword: String) async throws -> StaffMember {
        try Self.requireAdmin(admin)
        try passwords.check(temporaryPassword, loginID: loginID, field: "temporary_password")
        // Existence is checked first, so an unknown login id costs no hash.
        _ = try await store.snapshot { unit in try Self.member(loginID, of: admin, in: unit) }
        let hash = try await hasher.hash(temporaryPassword)
        let now = clock.now()
        return try await store.unitOfWork { unit in
            let member = try Self.member(loginID, of: admin, in: unit)
            _ = try unit.replacePassword(staffID: member.id!, expectedHash: member.passwordHash, newHash: hash, mustChange: true, at: now)
            let stored = try unit.unlockStaffMember(staffID: member.id!, at: now)
            _ = try unit.revokeSessions(staffID: member.id!, keeping: nil, at: now)
            try unit.appendAudit(admin.auditEvent(time: now, target: Self.target(loginID)))
            return stored
        }
    }

    /// Clears the lock and the failed-login count.
    public func unlock(_ admin: StaffPrincipal, loginID: String) async throws -> StaffMember {
        try Self.requireAdmin(admin)
        let now = clock.now()
        return try await store.unitOfWork { unit in
            let member = try Self.member(loginID, of: admin, in: unit)
            let stored = try unit.unlockStaffMember(staffID: member.id!, at: now)
            try unit.appendAudit(admin.auditEvent(time: now, target: Self.target(loginID)))
            return stored
        }
    }

    /// How the audit log names an account.
    public static func target(_ loginID: String) -> String { "staff:" + loginID.prefix(utf8Bytes: 64) }

    private static func requireAdmin(_ principal: StaffPrincipal) throws {
        guard principal.role == .facilityAdmin else {
            throw DomainError.permissionDenied("only facility admins (管理ユーザー) may manage staff accounts")
        }
    }

    /// A member of the admin's facility; any other facility's member is `notFound`.
    private static func member(_ loginID: String, of admin: StaffPrincipal, in unit: any UnitOfWork) throws -> StaffMember {
        guard let member = try unit.staffMember(facility: admin.facility, loginID: loginID) else {
            throw DomainError.notFound("staff member \"\(loginID.prefix(64))\"")
        }
        return member
    }
}
