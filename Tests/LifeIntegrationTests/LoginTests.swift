import LifeClient
import LifeProto
import LifeWire
import Synchronization
import TestSupport
import Testing

/// The seed's promise: a third party who knows a staff member's ID and password still cannot log
/// in without the facility's certificate. Over real mutual TLS, with the real store.
@Suite("Certificate-bound login")
struct LoginTests {
    private typealias F = TestFacilities

    private func loginError(_ daemon: TestDaemon, _ client: TestPKI.Client?, _ loginID: String, _ password: String) async -> RPCError? {
        do {
            _ = try await LifeClient.withConnection(to: daemon.tlsEndpoint(client)) { try await F.login($0, loginID, password) }
            return nil
        } catch let error as RPCError {
            return error
        } catch {
            return RPCError(.unknown, "\(error)")
        }
    }

    @Test("right certificate + right password logs in; another facility's or an unregistered certificate fails alike")
    func seedScenario() async throws {
        let daemon = try await TestDaemon.start()
        try await F.seed(daemon)
        let response = try await LifeClient.withConnection(to: daemon.tlsEndpoint(.facilityA)) { client in
            var request = Life_V1_LoginRequest()
            request.loginID = "admin-a"
            request.password = F.initialPassword
            return try await client.auth.login(request)
        }
        #expect(response.sessionToken.count == 43)
        #expect(response.staffMember.facilityNumber == F.a)
        #expect(response.staffMember.mustChangePassword)

        let otherFacility = await loginError(daemon, .facilityB, "admin-a", F.initialPassword)
        let unregistered = await loginError(daemon, .unregistered, "admin-a", F.initialPassword)
        let wrongPassword = await loginError(daemon, .facilityA, "admin-a", "Wrong-2026")
        let unknownID = await loginError(daemon, .facilityA, "nobody", F.initialPassword)
        for error in [otherFacility, unregistered, wrongPassword, unknownID] {
            #expect(error?.code == .unauthenticated)
            #expect(error?.message == otherFacility?.message, "every failure says the same")
        }
        let noCertificate = await loginError(daemon, nil, "admin-a", F.initialPassword)
        #expect(noCertificate?.code == .unavailable, "no certificate: the handshake fails")
        try await daemon.stop()
    }

    @Test("a certificate registered by fingerprint maps to its facility")
    func fingerprintRegistration() async throws {
        let daemon = try await TestDaemon.start()
        try await F.seed(daemon)
        #expect(await loginError(daemon, .unregistered, "admin-a", F.initialPassword)?.code == .unauthenticated)
        try await LifeClient.withConnection(to: daemon.unixEndpoint) { client in
            var request = Life_V1_CreateCertificateRegistrationRequest()
            request.facilityNumber = F.a
            request.fingerprint = daemon.pki.issued[.unregistered]!.fingerprintSHA256
            _ = try await client.admin.createCertificateRegistration(request)
        }
        #expect(await loginError(daemon, .unregistered, "admin-a", F.initialPassword) == nil)

        // Revoking the registration ends the sessions opened under that certificate (and its open
        // connection, RevocationSweepTests.registrationRevoked): a new connection finds none.
        let token = try await LifeClient.withConnection(to: daemon.tlsEndpoint(.unregistered)) { terminal in
            let token = try await F.login(terminal, "admin-a", F.initialPassword)
            _ = try await terminal.auth.whoAmI(.init(), metadata: F.bearer(token))
            return token
        }
        try await LifeClient.withConnection(to: daemon.unixEndpoint) { client in
            var revoke = Life_V1_RevokeCertificateRegistrationRequest()
            revoke.fingerprint = daemon.pki.issued[.unregistered]!.fingerprintSHA256
            _ = try await client.admin.revokeCertificateRegistration(revoke)
        }
        try await LifeClient.withConnection(to: daemon.tlsEndpoint(.unregistered)) { terminal in
            let ended = await #expect(throws: RPCError.self) { _ = try await terminal.auth.whoAmI(.init(), metadata: F.bearer(token)) }
            #expect(ended?.code == .unauthenticated)
        }
        #expect(await loginError(daemon, .unregistered, "admin-a", F.initialPassword)?.code == .unauthenticated)
        try await daemon.stop()
    }

    @Test("3 wrong passwords lock the account; the right one then fails too; an admin unlocks")
    func lockout() async throws {
        let daemon = try await TestDaemon.start()
        try await F.seed(daemon)
        for _ in 0..<3 {
            #expect(await loginError(daemon, .facilityA, "admin-a", "Wrong-2026")?.code == .unauthenticated)
        }
        let locked = await loginError(daemon, .facilityA, "admin-a", F.initialPassword)
        #expect(locked?.code == .unauthenticated)
        try await LifeClient.withConnection(to: daemon.unixEndpoint) { client in
            var request = Life_V1_AdminUnlockStaffMemberRequest()
            request.facilityNumber = F.a
            request.loginID = "admin-a"
            _ = try await client.admin.unlockStaffMember(request)
        }
        #expect(await loginError(daemon, .facilityA, "admin-a", F.initialPassword) == nil)
        try await daemon.stop()
    }

    @Test("60 logins at once, 59 wrong and the right one last: none succeeds once the lock is recorded")
    func lockoutUnderConcurrency() async throws {
        let daemon = try await TestDaemon.start()
        try await F.seed(daemon)
        let outcomes = try await LifeClient.withConnection(to: daemon.tlsEndpoint(.facilityA)) { client in
            await withTaskGroup(of: Bool.self) { group in
                for attempt in 0..<60 {
                    group.addTask {
                        (try? await F.login(client, "admin-a", attempt == 59 ? F.initialPassword : "Wrong-\(attempt)")) != nil
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
        }
        #expect(outcomes.filter { $0 }.count <= 1)
        // Decided on the account as it is at commit: in the audit log's order, no login is OK after
        // the failure that locked the account.
        let events = try await LifeClient.withConnection(to: daemon.unixEndpoint) { client in
            var request = Life_V1_ListAuditEventsRequest()
            request.method = "/life.v1.Auth/Login"
            request.page.pageSize = 500
            return try await client.admin.listAuditEvents(request).events.sorted { $0.sequence < $1.sequence }
        }
        #expect(events.count == 60)
        let locked = try #require(events.firstIndex { $0.reason == "WRONG_PASSWORD_LOCKED" })
        #expect(!events[locked...].contains { $0.result == .ok })
        try await daemon.stop()
    }

    @Test("one certificate's flood of failing logins: bounded (RESOURCE_EXHAUSTED) and another facility's login is served first")
    func floodDoesNotStallOtherFacilities() async throws {
        // Hashes slow enough that the flood's queue is still full when facility A's login arrives.
        let daemon = try await TestDaemon.start(["auth.scrypt=ln=14,r=8,p=1", "auth.login_queue_per_certificate=8"])
        try await F.seed(daemon)
        let finished = FloodProgress()
        try await LifeClient.withConnection(to: daemon.tlsEndpoint(.facilityB)) { flood in
            try await LifeClient.withConnection(to: daemon.tlsEndpoint(.facilityA)) { other in
                let codes = await withTaskGroup(of: RPCError.Code?.self) { group in
                    for attempt in 0..<40 {
                        group.addTask {
                            defer { finished.state.withLock { $0.flood += 1 } }
                            do {
                                _ = try await F.login(flood, "nobody-\(attempt)", "Wrong-2026")
                                return nil
                            } catch let error as RPCError {
                                return error.code
                            } catch {
                                return .unknown
                            }
                        }
                    }
                    group.addTask {
                        try? await Task.sleep(for: .milliseconds(50))  // The flood is queued first.
                        _ = try? await F.login(other, "admin-a", F.initialPassword)
                        finished.state.withLock { $0.floodWhenAFinished = $0.flood }
                        return nil
                    }
                    return await group.reduce(into: [RPCError.Code?]()) { $0.append($1) }
                }
                let refused = codes.filter { $0 == .resourceExhausted }.count
                let hashed = codes.filter { $0 == .unauthenticated }.count
                #expect(refused > 0, "the certificate's queue is bounded")
                #expect(refused + hashed == 40)
                let seen = finished.state.withLock { $0 }
                #expect(seen.floodWhenAFinished >= 0, "facility A logged in")
                #expect(seen.floodWhenAFinished < 40, "facility A's login finished before the flood's queue drained")
            }
        }
        try await daemon.stop()
    }

    @Test("a lock ends by itself after the lock duration")
    func lockExpires() async throws {
        let daemon = try await TestDaemon.start()  // the default lock of 30 minutes
        try await F.seed(daemon)
        for _ in 0..<3 { _ = await loginError(daemon, .facilityA, "admin-a", "Wrong-2026") }
        #expect(await loginError(daemon, .facilityA, "admin-a", F.initialPassword)?.code == .unauthenticated)
        daemon.clock.advance(by: .seconds(29 * 60))
        #expect(await loginError(daemon, .facilityA, "admin-a", F.initialPassword)?.code == .unauthenticated)
        daemon.clock.advance(by: .seconds(2 * 60))
        #expect(await loginError(daemon, .facilityA, "admin-a", F.initialPassword) == nil)
        try await daemon.stop()
    }

    @Test("first login forces a password change; ChangePassword revokes the other sessions")
    func passwordChange() async throws {
        let daemon = try await TestDaemon.start()
        try await F.seed(daemon)
        try await LifeClient.withConnection(to: daemon.tlsEndpoint(.facilityA)) { client in
            let first = try await F.login(client, "admin-a", F.initialPassword)
            let second = try await F.login(client, "admin-a", F.initialPassword)
            #expect(first != second, "a new token per login")
            let blocked = await #expect(throws: RPCError.self) {
                _ = try await client.staff.listStaffMembers(.init(), metadata: F.bearer(first))
            }
            #expect(blocked?.code == .failedPrecondition)
            #expect(blocked?.reason == "PASSWORD_CHANGE_REQUIRED")
            let who = try await client.auth.whoAmI(.init(), metadata: F.bearer(first))
            #expect(who.staffMember.loginID == "admin-a")
            #expect(who.certificateFingerprint == daemon.pki.issued[.facilityA]!.fingerprintSHA256)

            var change = Life_V1_ChangePasswordRequest()
            change.oldPassword = F.initialPassword
            change.newPassword = F.newPassword
            let changed = try await client.auth.changePassword(change, metadata: F.bearer(first))
            #expect(changed.revokedSessionCount == 1)
            #expect(!changed.staffMember.mustChangePassword)
            let list = try await client.staff.listStaffMembers(.init(), metadata: F.bearer(first))
            #expect(list.staffMembers.map(\.loginID) == ["admin-a"])
            let revoked = await #expect(throws: RPCError.self) { _ = try await client.auth.whoAmI(.init(), metadata: F.bearer(second)) }
            #expect(revoked?.code == .unauthenticated)
        }
        try await daemon.stop()
    }

    @Test("a token is refused from another certificate, after logout, and after the idle timeout")
    func tokenBinding() async throws {
        let daemon = try await TestDaemon.start()  // the default idle timeout of 30 minutes
        try await F.seed(daemon)
        try await LifeClient.withConnection(to: daemon.unixEndpoint) { client in
            var request = Life_V1_CreateCertificateRegistrationRequest()
            request.facilityNumber = F.a
            request.fingerprint = daemon.pki.issued[.unregistered]!.fingerprintSHA256
            _ = try await client.admin.createCertificateRegistration(request)
        }
        let token = try await LifeClient.withConnection(to: daemon.tlsEndpoint(.facilityA)) {
            try await F.login($0, "admin-a", F.initialPassword)
        }
        // Same facility, other certificate: the stolen token is useless.
        let elsewhere = await #expect(throws: RPCError.self) {
            try await LifeClient.withConnection(to: daemon.tlsEndpoint(.unregistered)) {
                _ = try await $0.auth.whoAmI(.init(), metadata: F.bearer(token))
            }
        }
        #expect(elsewhere?.code == .unauthenticated)
        try await LifeClient.withConnection(to: daemon.tlsEndpoint(.facilityA)) { client in
            _ = try await client.auth.whoAmI(.init(), metadata: F.bearer(token))
            _ = try await client.auth.logout(.init(), metadata: F.bearer(token))
            let afterLogout = await #expect(throws: RPCError.self) { _ = try await client.auth.whoAmI(.init(), metadata: F.bearer(token)) }
            #expect(afterLogout?.code == .unauthenticated)

            let idle = try await F.login(client, "admin-a", F.initialPassword)
            daemon.clock.advance(by: .seconds(31 * 60))
            let expired = await #expect(throws: RPCError.self) { _ = try await client.auth.whoAmI(.init(), metadata: F.bearer(idle)) }
            #expect(expired?.code == .unauthenticated)
        }
        try await daemon.stop()
    }
}

/// How many of the flood's logins had finished, and how many when facility A's login finished.
private final class FloodProgress: Sendable {
    let state = Mutex((flood: 0, floodWhenAFinished: -1))
}
