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
            let duplicate = await #expect(throws: RPCError.self) {
                _ = try await client.staff.createStaffMember(create, metadata: F.bearer(admin))
            }
            #expect(duplicate?.code == .alreadyExists)
            #expect(duplicate?.message == "login id \"sato\" in facility \(F.a) already exists")

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

    @Test("staff edits are version-checked and change only their fields; the facility keeps an enabled admin; lists page in storage")
    func versionedEdits() async throws {
        let daemon = try await TestDaemon.start()
        try await F.seed(daemon)
        try await LifeClient.withConnection(to: daemon.tlsEndpoint(.facilityA)) { client in
            let admin = try await adminSession(client)
            func create(_ loginID: String, _ role: Life_V1_StaffRole) async throws -> Life_V1_StaffMember {
                var create = Life_V1_CreateStaffMemberRequest()
                create.staffMember.loginID = loginID
                create.staffMember.displayName = loginID
                create.staffMember.role = role
                create.initialPassword = "Temporary-1"
                return try await client.staff.createStaffMember(create, metadata: F.bearer(admin)).staffMember
            }
            func update(_ member: Life_V1_StaffMember, name: String, role: Life_V1_StaffRole, version: Int64, token: String)
                async throws -> Life_V1_StaffMember
            {
                var update = Life_V1_UpdateStaffMemberRequest()
                update.staffMember = member
                update.staffMember.displayName = name
                update.staffMember.role = role
                update.expectedVersion = version
                return try await client.staff.updateStaffMember(update, metadata: F.bearer(token)).staffMember
            }
            let kato = try await create("kato", .operator)
            #expect(kato.version == 1)
            let renamed = try await update(kato, name: "加藤", role: .operator, version: 1, token: admin)
            #expect(renamed.version == 2 && renamed.displayName == "加藤")
            let stale = await #expect(throws: RPCError.self) {
                _ = try await update(kato, name: "stale", role: .operator, version: 1, token: admin)
            }
            #expect(stale?.code == .aborted)
            let missing = await #expect(throws: RPCError.self) {
                _ = try await update(kato, name: "x", role: .operator, version: 0, token: admin)
            }
            #expect(missing?.code == .invalidArgument && missing?.fieldViolations.first?.field == "expected_version")

            // A reset made meanwhile raises the version: an edit from the older read cannot undo it.
            var reset = Life_V1_ResetStaffMemberPasswordRequest()
            reset.loginID = "kato"
            reset.temporaryPassword = "Reset-Temp-2"
            let afterReset = try await client.staff.resetStaffMemberPassword(reset, metadata: F.bearer(admin)).staffMember
            #expect(afterReset.version == 3 && afterReset.mustChangePassword && afterReset.displayName == "加藤")
            let overReset = await #expect(throws: RPCError.self) {
                _ = try await update(kato, name: "again", role: .operator, version: 2, token: admin)
            }
            #expect(overReset?.code == .aborted)
            var get = Life_V1_GetStaffMemberRequest()
            get.loginID = "kato"
            let stored = try await client.staff.getStaffMember(get, metadata: F.bearer(admin)).staffMember
            #expect(stored.displayName == "加藤" && stored.mustChangePassword && stored.version == 3)

            // Two admins demote each other at once: one wins, the facility keeps an enabled admin.
            let second = try await create("admin-2", .facilityAdmin)
            let secondToken = try await F.login(client, "admin-2", "Temporary-1")
            var change = Life_V1_ChangePasswordRequest()
            change.oldPassword = "Temporary-1"
            change.newPassword = "Second-Admin-9"
            _ = try await client.auth.changePassword(change, metadata: F.bearer(secondToken))
            var getFirst = Life_V1_GetStaffMemberRequest()
            getFirst.loginID = "admin-a"
            let first = try await client.staff.getStaffMember(getFirst, metadata: F.bearer(admin)).staffMember
            let secondNow = try await client.staff.getStaffMember(
                {
                    var r = Life_V1_GetStaffMemberRequest(); r.loginID = "admin-2"; return r
                }(), metadata: F.bearer(admin)
            ).staffMember
            #expect(secondNow.loginID == second.loginID)
            async let one = Result(catching: {
                try await update(secondNow, name: "admin-2", role: .operator, version: secondNow.version, token: admin)
            })
            async let two = Result(catching: {
                try await update(first, name: "admin-a", role: .operator, version: first.version, token: secondToken)
            })
            let outcomes = await [one, two]
            #expect(outcomes.filter { (try? $0.get()) != nil }.count == 1)
            for case .failure(let error as RPCError) in outcomes {
                #expect(error.code == .failedPrecondition || error.code == .permissionDenied)
            }
            var admins = Life_V1_ListStaffMembersRequest()
            admins.role = .facilityAdmin
            let remaining = try await client.staff.listStaffMembers(admins, metadata: F.bearer(outcomes[0].isSuccess ? admin : secondToken))
            #expect(remaining.staffMembers.count == 1)

            // Lists page in storage: every member once, and a token only for its own filter.
            let token = outcomes[0].isSuccess ? admin : secondToken
            var seen: [String] = []
            var request = Life_V1_ListStaffMembersRequest()
            request.page.pageSize = 1
            repeat {
                let page = try await client.staff.listStaffMembers(request, metadata: F.bearer(token))
                #expect(page.staffMembers.count == 1 && page.page.totalSize == 3)
                seen += page.staffMembers.map(\.loginID)
                request.page.pageToken = page.page.nextPageToken
            } while !request.page.pageToken.isEmpty
            #expect(seen == ["admin-2", "admin-a", "kato"])
            var first2 = Life_V1_ListStaffMembersRequest()
            first2.page.pageSize = 1
            var other = first2
            other.role = .operator
            other.page.pageToken = try await client.staff.listStaffMembers(first2, metadata: F.bearer(token)).page.nextPageToken
            let foreign = await #expect(throws: RPCError.self) {
                _ = try await client.staff.listStaffMembers(other, metadata: F.bearer(token))
            }
            #expect(foreign?.code == .invalidArgument)
        }
        try await daemon.stop()
    }
}

extension Result {
    fileprivate init(catching body: () async throws -> Success) async where Failure == any Error {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }

    fileprivate var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }
}
