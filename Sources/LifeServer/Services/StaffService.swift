import Foundation
import LifeCore
import LifeProto
import LifeStubs
import LifeWire

/// life.v1.Staff: a facility admin (管理ユーザー) manages the accounts of their own facility.
/// Operators get PERMISSION_DENIED; another facility's staff do not exist (NOT_FOUND).
public struct StaffService: Life_V1_StaffService {
    private let storage: any LifeStorage
    private let hasher: any PasswordHasher
    private let settings: AuthSettings
    private let authenticator: SessionAuthenticator
    private let audit: AuditRecorder
    private let clock: any WallClock

    public init(storage: any LifeStorage, hasher: any PasswordHasher, settings: AuthSettings, clock: any WallClock = SystemClock()) {
        self.clock = clock
        self.storage = storage
        self.hasher = hasher
        self.settings = settings
        self.authenticator = SessionAuthenticator(storage: storage, policy: settings.login, clock: clock)
        self.audit = AuditRecorder(storage: storage)
    }

    public func createStaffMember(_ request: Life_V1_CreateStaffMemberRequest, context: ServerCallContext) async throws
        -> Life_V1_CreateStaffMemberResponse
    {
        let loginID = request.staffMember.loginID
        return try await asFacilityAdmin(context, target: loginID) { caller in
            let input = request.staffMember
            guard let role = StaffRole(input.role) else {
                throw DomainError.invalidField(
                    field: "staff_member.role", reason: "REQUIRED", message: "role must be FACILITY_ADMIN or OPERATOR")
            }
            let member = try await StaffRules.createAccount(
                facility: caller.facility.number,
                loginID: input.loginID,
                displayName: input.displayName,
                role: role,
                initialPassword: request.initialPassword,
                fields: ("staff_member.login_id", "staff_member.display_name", "initial_password"),
                storage: storage,
                hasher: hasher,
                policy: settings.passwords
            )
            var response = Life_V1_CreateStaffMemberResponse()
            response.staffMember = Life_V1_StaffMember(member)
            return response
        }
    }

    public func listStaffMembers(_ request: Life_V1_ListStaffMembersRequest, context: ServerCallContext) async throws
        -> Life_V1_ListStaffMembersResponse
    {
        try await asFacilityAdmin(context, target: "") { caller in
            let role = StaffRole(request.role)
            let all = try await storage.staffMembers(facility: caller.facility.number)
                .filter { (request.includeDisabled || !$0.disabled) && (role == nil || $0.role == role) }
                .sorted { $0.loginID < $1.loginID }
            let page = try Paging(request.page, total: all.count)
            var response = Life_V1_ListStaffMembersResponse()
            response.staffMembers = all[page.range].map(Life_V1_StaffMember.init)
            response.page = page.response
            return response
        }
    }

    public func getStaffMember(_ request: Life_V1_GetStaffMemberRequest, context: ServerCallContext) async throws
        -> Life_V1_GetStaffMemberResponse
    {
        try await asFacilityAdmin(context, target: request.loginID) { caller in
            var response = Life_V1_GetStaffMemberResponse()
            response.staffMember = Life_V1_StaffMember(try await member(request.loginID, of: caller))
            return response
        }
    }

    public func updateStaffMember(_ request: Life_V1_UpdateStaffMemberRequest, context: ServerCallContext) async throws
        -> Life_V1_UpdateStaffMemberResponse
    {
        try await asFacilityAdmin(context, target: request.staffMember.loginID) { caller in
            let member = try await member(request.staffMember.loginID, of: caller)
            try StaffRules.checkDisplayName(request.staffMember.displayName)
            var role = member.role
            if let requested = StaffRole(request.staffMember.role), requested != member.role {
                guard member.id != caller.staff.id else {
                    throw DomainError.failedPrecondition("you cannot change your own role")
                }
                role = requested
            }
            let stored = try await storage.updateStaffProfile(
                staffID: member.id!, displayName: request.staffMember.displayName, role: role, at: clock.now())
            var response = Life_V1_UpdateStaffMemberResponse()
            response.staffMember = Life_V1_StaffMember(stored)
            return response
        }
    }

    public func disableStaffMember(_ request: Life_V1_DisableStaffMemberRequest, context: ServerCallContext) async throws
        -> Life_V1_DisableStaffMemberResponse
    {
        var response = Life_V1_DisableStaffMemberResponse()
        response.staffMember = try await setDisabled(request.loginID, true, context)
        return response
    }

    public func enableStaffMember(_ request: Life_V1_EnableStaffMemberRequest, context: ServerCallContext) async throws
        -> Life_V1_EnableStaffMemberResponse
    {
        var response = Life_V1_EnableStaffMemberResponse()
        response.staffMember = try await setDisabled(request.loginID, false, context)
        return response
    }

    /// Disabling also ends the account's sessions; nobody disables their own account.
    private func setDisabled(_ loginID: String, _ disabled: Bool, _ context: ServerCallContext) async throws -> Life_V1_StaffMember {
        try await asFacilityAdmin(context, target: loginID) { caller in
            let member = try await member(loginID, of: caller)
            if disabled, member.id == caller.staff.id { throw DomainError.failedPrecondition("you cannot disable your own account") }
            let stored = try await storage.setStaffDisabled(staffID: member.id!, disabled: disabled, at: clock.now())
            if disabled { _ = try await storage.revokeSessions(staffID: member.id!, keeping: nil, at: clock.now()) }
            return Life_V1_StaffMember(stored)
        }
    }

    public func resetStaffMemberPassword(_ request: Life_V1_ResetStaffMemberPasswordRequest, context: ServerCallContext) async throws
        -> Life_V1_ResetStaffMemberPasswordResponse
    {
        try await asFacilityAdmin(context, target: request.loginID) { caller in
            let current = try await member(request.loginID, of: caller)
            try settings.passwords.check(request.temporaryPassword, loginID: current.loginID, field: "temporary_password")
            let hash = try await hasher.hash(request.temporaryPassword)
            var member = try await storage.replacePassword(
                staffID: current.id!, expectedHash: current.passwordHash, newHash: hash, mustChange: true, at: clock.now())
            try await storage.unlockStaffMember(staffID: member.id!, at: member.updatedAt)
            member.failedLoginCount = 0
            member.lockedUntil = nil
            _ = try await storage.revokeSessions(staffID: member.id!, keeping: nil, at: clock.now())
            var response = Life_V1_ResetStaffMemberPasswordResponse()
            response.staffMember = Life_V1_StaffMember(member)
            return response
        }
    }

    public func unlockStaffMember(_ request: Life_V1_UnlockStaffMemberRequest, context: ServerCallContext) async throws
        -> Life_V1_UnlockStaffMemberResponse
    {
        try await asFacilityAdmin(context, target: request.loginID) { caller in
            var member = try await member(request.loginID, of: caller)
            member.updatedAt = clock.now()
            try await storage.unlockStaffMember(staffID: member.id!, at: member.updatedAt)
            member.failedLoginCount = 0
            member.lockedUntil = nil
            var response = Life_V1_UnlockStaffMemberResponse()
            response.staffMember = Life_V1_StaffMember(member)
            return response
        }
    }

    // MARK: -

    /// Authenticates, requires the facility admin role, and audits the call.
    private func asFacilityAdmin<T: Sendable>(
        _ context: ServerCallContext,
        target: String,
        _ body: (AuthenticatedCaller) async throws -> T
    ) async throws -> T {
        let caller = try await authenticator.authenticate(context)
        return try await audit.audited(
            context, facility: caller.facility.number.rawValue, loginID: caller.staff.loginID,
            target: target.isEmpty ? "" : "staff:\(target)"
        ) {
            guard caller.staff.role == .facilityAdmin else {
                throw DomainError.permissionDenied("only facility admins (管理ユーザー) may manage staff accounts")
            }
            return try await body(caller)
        }
    }

    /// A member of the caller's facility; any other facility's member is NOT_FOUND.
    private func member(_ loginID: String, of caller: AuthenticatedCaller) async throws -> StaffMember {
        guard let member = try await storage.staffMember(facility: caller.facility.number, loginID: loginID) else {
            throw DomainError.notFound("staff member \"\(loginID.prefix(64))\"")
        }
        return member
    }
}
