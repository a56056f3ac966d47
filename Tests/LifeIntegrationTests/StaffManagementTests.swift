import LifeClient
import LifeProto
import LifeWire
import TestSupport
import Testing

/// Facility admins manage their own facility's staff; operators cannot; nobody sees another
/// facility's staff.
@Suite("Staff management")
struct StaffManagementTests {
    private typealias F = TestFacilities

    /// Logs admin-a in over facility A's certificate, changes the initial password, returns the token.
    private func adminSession(_ client: LifeClient) async throws -> String {
        let token = try await F.login(client, "admin-a", F.initialPassword)
        var change = Life_V1_ChangePasswordRequest()
        change.oldPassword = F.initialPassword
        change.newPassword = F.newPassword
        _ = try await client.auth.changePassword(change, metadata: F.bearer(token))
        return token
    }

    @Test("an admin creates an operator; the operator cannot manage staff")
    func operatorsCannotManage() async throws {
        let daemon = try await TestDaemon.start()
        try await F.seed(daemon)
        try await LifeClient.withConnection(to: daemon.tlsEndpoint(.facilityA)) { client in
            let admin = try await adminSession(client)
            var create = Life_V1_CreateStaffMemberRequest()
            create.staffMember.loginID = "sato"
            create.staffMember.displayName = "佐藤"
            create.staffMember.role = .operator
            create.initialPassword = "Temporary-1"
            let created = try await client.staff.createStaffMember(create, metadata: F.bearer(admin))
            #expect(created.staffMember.facilityNumber == F.a)
            #expect(created.staffMember.mustChangePassword)

            let weak = await #expect(throws: RPCError.self) {
                var again = create
                again.staffMember.loginID = "suzuki"
                again.initialPassword = "short"
                _ = try await client.staff.createStaffMember(again, metadata: F.bearer(admin))
            }
            #expect(weak?.code == .invalidArgument)
            #expect(weak?.fieldViolations.first?.field == "initial_password")

            let operatorToken = try await F.login(client, "sato", "Temporary-1")
            var change = Life_V1_ChangePasswordRequest()
            change.oldPassword = "Temporary-1"
            change.newPassword = "Operator-2026"
            _ = try await client.auth.changePassword(change, metadata: F.bearer(operatorToken))
            let denied = await #expect(throws: RPCError.self) {
                _ = try await client.staff.listStaffMembers(.init(), metadata: F.bearer(operatorToken))
            }
            #expect(denied?.code == .permissionDenied)
        }
        try await daemon.stop()
    }

    @Test("an admin of facility A cannot see or touch facility B's staff")
    func otherFacilityIsInvisible() async throws {
        let daemon = try await TestDaemon.start()
        try await F.seed(daemon)
        try await LifeClient.withConnection(to: daemon.tlsEndpoint(.facilityA)) { client in
            let admin = try await adminSession(client)
            var get = Life_V1_GetStaffMemberRequest()
            get.loginID = "admin-b"
            let hidden = await #expect(throws: RPCError.self) { _ = try await client.staff.getStaffMember(get, metadata: F.bearer(admin)) }
            #expect(hidden?.code == .notFound)
            var reset = Life_V1_ResetStaffMemberPasswordRequest()
            reset.loginID = "admin-b"
            reset.temporaryPassword = "Takeover-2026"
            let untouched = await #expect(throws: RPCError.self) {
                _ = try await client.staff.resetStaffMemberPassword(reset, metadata: F.bearer(admin))
            }
            #expect(untouched?.code == .notFound)
            let list = try await client.staff.listStaffMembers(.init(), metadata: F.bearer(admin))
            #expect(list.staffMembers.allSatisfy { $0.facilityNumber == F.a })
        }
        // Facility B's admin still logs in with the untouched initial password.
        let token = try await LifeClient.withConnection(to: daemon.tlsEndpoint(.facilityB)) {
            try await F.login($0, "admin-b", F.initialPassword)
        }
        #expect(!token.isEmpty)
        try await daemon.stop()
    }

    @Test("admin methods exist only on the Unix socket; staff methods only over TLS")
    func listenerSeparation() async throws {
        let daemon = try await TestDaemon.start()
        try await LifeClient.withConnection(to: daemon.tlsEndpoint(.facilityA)) { client in
            let error = await #expect(throws: RPCError.self) { _ = try await client.admin.listFacilities(.init()) }
            #expect(error?.code == .unimplemented)
        }
        try await LifeClient.withConnection(to: daemon.unixEndpoint) { client in
            let error = await #expect(throws: RPCError.self) { _ = try await client.auth.whoAmI(.init()) }
            #expect(error?.code == .unimplemented)
        }
        try await daemon.stop()
    }

    @Test("disabling an account or its facility stops its logins; a reset password must be changed")
    func disableAndReset() async throws {
        let daemon = try await TestDaemon.start()
        try await F.seed(daemon)
        try await LifeClient.withConnection(to: daemon.tlsEndpoint(.facilityA)) { client in
            let admin = try await adminSession(client)
            var create = Life_V1_CreateStaffMemberRequest()
            create.staffMember.loginID = "ito"
            create.staffMember.displayName = "伊藤"
            create.staffMember.role = .operator
            create.initialPassword = "Temporary-1"
            _ = try await client.staff.createStaffMember(create, metadata: F.bearer(admin))
            let itoToken = try await F.login(client, "ito", "Temporary-1")

            var disable = Life_V1_DisableStaffMemberRequest()
            disable.loginID = "ito"
            _ = try await client.staff.disableStaffMember(disable, metadata: F.bearer(admin))
            let refused = await #expect(throws: RPCError.self) { _ = try await F.login(client, "ito", "Temporary-1") }
            #expect(refused?.code == .unauthenticated)
            let revoked = await #expect(throws: RPCError.self) { _ = try await client.auth.whoAmI(.init(), metadata: F.bearer(itoToken)) }
            #expect(revoked?.code == .unauthenticated, "disabling ends the account's sessions")

            var enable = Life_V1_EnableStaffMemberRequest()
            enable.loginID = "ito"
            _ = try await client.staff.enableStaffMember(enable, metadata: F.bearer(admin))
            var reset = Life_V1_ResetStaffMemberPasswordRequest()
            reset.loginID = "ito"
            reset.temporaryPassword = "Reset-Temp-2"
            let after = try await client.staff.resetStaffMemberPassword(reset, metadata: F.bearer(admin))
            #expect(after.staffMember.mustChangePassword)
            let fresh = try await F.login(client, "ito", "Reset-Temp-2")
            let blocked = await #expect(throws: RPCError.self) {
                _ = try await client.staff.listStaffMembers(.init(), metadata: F.bearer(fresh))
            }
            #expect(blocked?.reason == "PASSWORD_CHANGE_REQUIRED")
        }
        try await LifeClient.withConnection(to: daemon.unixEndpoint) { client in
            var disable = Life_V1_DisableFacilityRequest()
            disable.facilityNumber = F.a
            _ = try await client.admin.disableFacility(disable)
        }
        let facilityOff = await #expect(throws: RPCError.self) {
            try await LifeClient.withConnection(to: daemon.tlsEndpoint(.facilityA)) { _ = try await F.login($0, "admin-a", F.newPassword) }
        }
        #expect(facilityOff?.code == .unauthenticated)
        try await daemon.stop()
    }
}
