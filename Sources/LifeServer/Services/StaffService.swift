import LifeApp
import LifeCore
import LifeProto
import LifeStubs
import LifeWire

/// life.v1.Staff: decode, one `StaffUseCases` call for the session's facility admin, encode.
public struct StaffService: Life_V1_StaffService {
    private let staff: StaffUseCases

    public init(staff: StaffUseCases) {
        self.staff = staff
    }

    public func createStaffMember(_ request: Life_V1_CreateStaffMemberRequest, context: ServerCallContext) async throws
        -> Life_V1_CreateStaffMemberResponse
    {
        let input = request.staffMember
        guard let role = StaffRole(input.role) else {
            throw DomainError.invalidField(
                field: "staff_member.role", reason: "REQUIRED", message: "role must be FACILITY_ADMIN or OPERATOR")
        }
        let draft = StaffAccountDraft(
            loginID: input.loginID, displayName: input.displayName, role: role,
            fields: ("staff_member.login_id", "staff_member.display_name", "initial_password"))
        var response = Life_V1_CreateStaffMemberResponse()
        response.staffMember = Life_V1_StaffMember(
            try await staff.create(try context.staff().principal, draft, initialPassword: request.initialPassword))
        return response
    }

    public func listStaffMembers(_ request: Life_V1_ListStaffMembersRequest, context: ServerCallContext) async throws
        -> Life_V1_ListStaffMembersResponse
    {
        let filter = StaffFilter(role: StaffRole(request.role), includeDisabled: request.includeDisabled)
        let page = try await staff.list(try context.staff().principal, filter: filter, page: PageRequest(request.page))
        var response = Life_V1_ListStaffMembersResponse()
        response.staffMembers = page.items.map(Life_V1_StaffMember.init)
        response.page = Life_V1_PageResponse(page)
        return response
    }

    public func getStaffMember(_ request: Life_V1_GetStaffMemberRequest, context: ServerCallContext) async throws
        -> Life_V1_GetStaffMemberResponse
    {
        var response = Life_V1_GetStaffMemberResponse()
        response.staffMember = Life_V1_StaffMember(try await staff.get(try context.staff().principal, loginID: request.loginID))
        return response
    }

    public func updateStaffMember(_ request: Life_V1_UpdateStaffMemberRequest, context: ServerCallContext) async throws
        -> Life_V1_UpdateStaffMemberResponse
    {
        let input = request.staffMember
        let updated = try await staff.update(
            try context.staff().principal, loginID: input.loginID, displayName: input.displayName, role: StaffRole(input.role),
            expectedVersion: request.expectedVersion)
        var response = Life_V1_UpdateStaffMemberResponse()
        response.staffMember = Life_V1_StaffMember(updated)
        return response
    }

    public func disableStaffMember(_ request: Life_V1_DisableStaffMemberRequest, context: ServerCallContext) async throws
        -> Life_V1_DisableStaffMemberResponse
    {
        var response = Life_V1_DisableStaffMemberResponse()
        response.staffMember = Life_V1_StaffMember(
            try await staff.setDisabled(try context.staff().principal, loginID: request.loginID, disabled: true))
        return response
    }

    public func enableStaffMember(_ request: Life_V1_EnableStaffMemberRequest, context: ServerCallContext) async throws
        -> Life_V1_EnableStaffMemberResponse
    {
        var response = Life_V1_EnableStaffMemberResponse()
        response.staffMember = Life_V1_StaffMember(
            try await staff.setDisabled(try context.staff().principal, loginID: request.loginID, disabled: false))
        return response
    }

    public func resetStaffMemberPassword(_ request: Life_V1_ResetStaffMemberPasswordRequest, context: ServerCallContext) async throws
        -> Life_V1_ResetStaffMemberPasswordResponse
    {
        var response = Life_V1_ResetStaffMemberPasswordResponse()
        response.staffMember = Life_V1_StaffMember(
            try await staff.resetPassword(
                try context.staff().principal, loginID: request.loginID, temporaryPassword: request.temporaryPassword))
        return response
    }

    public func unlockStaffMember(_ request: Life_V1_UnlockStaffMemberRequest, context: ServerCallContext) async throws
        -> Life_V1_UnlockStaffMemberResponse
    {
        var response = Life_V1_UnlockStaffMemberResponse()
        response.staffMember = Life_V1_StaffMember(try await staff.unlock(try context.staff().principal, loginID: request.loginID))
        return response
    }
}
