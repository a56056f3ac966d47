import Foundation
import LifeClient
import LifeProto
import LifeWire
import TestSupport
import Testing

/// Issue 13 items 1 and 5 at the login: a lock cannot be sidestepped through ChangePassword, and
/// a certificate names its facility only if its CA is one `tls.facility_attribute_ca` trusts.
@Suite("Login trust")
struct LoginTrustTests {
    private typealias F = TestFacilities

    /// The error of a login as `loginID` over a new connection presenting `endpoint`'s certificate, nil if it succeeded.
    private func loginError(_ endpoint: ClientEndpoint, _ loginID: String, _ password: String) async -> RPCError? {
        do {
            _ = try await LifeClient.withConnection(to: endpoint) { try await F.login($0, loginID, password) }
            return nil
        } catch let error as RPCError {
            return error
        } catch {
            return RPCError(.unknown, "\(error)")
        }
    }

    @Test("wrong old passwords given to ChangePassword count toward the lock, and a locked account cannot change its password")
    func changePasswordCountsTowardTheLock() async throws {
        let daemon = try await TestDaemon.start()
        try await F.seed(daemon)
        try await LifeClient.withConnection(to: daemon.tlsEndpoint(.facilityA)) { client in
            let token = try await F.login(client, "admin-a", F.initialPassword)
            for attempt in 0..<3 {
                var change = Life_V1_ChangePasswordRequest()
                change.oldPassword = "Wrong-\(attempt)"
                change.newPassword = F.newPassword
                let error = await #expect(throws: RPCError.self) {
                    _ = try await client.auth.changePassword(change, metadata: F.bearer(token))
                }
                #expect(error?.code == .invalidArgument)
            }
            var change = Life_V1_ChangePasswordRequest()
            change.oldPassword = F.initialPassword
            change.newPassword = F.newPassword
            let locked = await #expect(throws: RPCError.self) {
                _ = try await client.auth.changePassword(change, metadata: F.bearer(token))
            }
            #expect(locked?.code == .failedPrecondition)
        }
        #expect(await loginError(daemon.tlsEndpoint(.facilityA), "admin-a", F.initialPassword)?.code == .unauthenticated)
        try await daemon.stop()
    }

    @Test("the facility attribute counts only in certificates of the CAs tls.facility_attribute_ca names")
    func facilityAttributeIssuers() async throws {
        let daemon = try await TestDaemon.start(prepare: { folder, pki in
            // Two CAs in the bundle; only the second may name facilities in the subject.
            try folder.write(pki.ca.certificatePEM + pki.stranger.certificatePEM, to: "bundle.pem")
            try folder.write(pki.stranger.certificatePEM, to: "attribute-ca.pem")
            let other = try pki.stranger.issueClientCertificate(commonName: "Facility A, other CA", organization: "A", facilityNumber: F.a)
            try folder.write(other.certificatePEM, to: "other-a.pem")
            try folder.write(other.privateKeyPEM, to: "other-a-key.pem")
            return ["tls.client_ca=\(folder.file("bundle.pem"))", "tls.facility_attribute_ca=\(folder.file("attribute-ca.pem"))"]
        })
        try await F.seed(daemon)
        // The CA's certificate naming facility A still connects, but proves no facility.
        let untrusted = daemon.tlsEndpoint(.facilityA)
        let health = try await LifeClient.withConnection(to: untrusted) { try await $0.health.check(.init()) }
        #expect(health.status == .serving)
        #expect(await loginError(untrusted, "admin-a", F.initialPassword)?.code == .unauthenticated)
        let trusted = ClientEndpoint.tls(
            host: "127.0.0.1", port: daemon.daemon.tlsListener!.port!,
            options: TLSClientOptions(
                caPath: daemon.folder.file("ca.pem"), certificatePath: daemon.folder.file("other-a.pem"),
                privateKeyPath: daemon.folder.file("other-a-key.pem")))
        #expect(await loginError(trusted, "admin-a", F.initialPassword) == nil)
        try await daemon.stop()
    }
}
