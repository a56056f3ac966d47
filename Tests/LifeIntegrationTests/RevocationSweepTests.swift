import Foundation
import LifeClient
import LifeProto
import LifeWire
import TestSupport
import Testing

/// Issue 13 item 4, continued: what a CRL or a registration withdraws ends the connections it
/// already admitted, and a handshake straddling a reload is judged by the material in force.
@Suite("Revocation ends connections")
struct RevocationSweepTests {
    private typealias F = TestFacilities

    @Test("a handshake verified before a reload and admitted after it is judged by the new CRL")
    func handshakeStraddlingAReload() async throws {
        let hold = AdmissionHold()
        let daemon = try await TestDaemon.start(setupHook: hold.hook)
        let straddling = Task {
            try await LifeClient.withConnection(to: daemon.tlsEndpoint(.facilityA)) { try await $0.health.check(.init()) }
        }
        // The server has verified facility A's certificate against the CRL then in force.
        #expect(await eventually { hold.isHolding })
        try daemon.pki.writeCRL(revoking: [.revoked, .facilityA], number: 2)
        #expect(daemon.daemon.reload())
        hold.release()
        let refused = await #expect(throws: RPCError.self) { try await straddling.value }
        #expect(refused?.code == .unavailable)
        #expect(refused?.reason == "GOAWAY_certificateRevoked", "\(String(describing: refused))")
        let other = try await LifeClient.withConnection(to: daemon.tlsEndpoint(.facilityB)) { try await $0.health.check(.init()) }
        #expect(other.status == .serving)
        try await daemon.stop()
    }

    @Test("a reload whose CRL revokes the intermediate CA of a connected certificate ends that connection, not others")
    func revokedIntermediateEndsConnections() async throws {
        let daemon = try await TestDaemon.start()
        let intermediate = try daemon.pki.writeIdentityUnderIntermediate("deep")
        let deep = ClientEndpoint.tls(
            host: "127.0.0.1", port: daemon.daemon.tlsListener!.port!,
            options: TLSClientOptions(
                caPath: daemon.folder.file("ca.pem"), certificatePath: daemon.folder.file("deep.pem"),
                privateKeyPath: daemon.folder.file("deep-key.pem")))
        try await LifeClient.withConnection(to: daemon.tlsEndpoint(.facilityA)) { other in
            try await LifeClient.withConnection(to: deep) { client in
                let before = try await client.health.check(.init()).status
                #expect(before == .serving)
                try daemon.pki.writeCRL(revoking: [.revoked], serials: [intermediate], number: 2)
                #expect(daemon.daemon.reload())
                let error = await #expect(throws: RPCError.self) { try await client.health.check(.init()) }
                #expect(error?.reason == "GOAWAY_certificateRevoked", "\(String(describing: error))")
            }
            let kept = try await other.health.check(.init()).status
            #expect(kept == .serving)
        }
        let refused = await #expect(throws: RPCError.self) {
            try await LifeClient.withConnection(to: deep) { try await $0.health.check(.init()) }
        }
        #expect(refused?.code == .unavailable)
        try await daemon.stop()
    }

    @Test(
        "a CRL going stale ends its CA's open connections at the next sweep, unless a grace period covers it or enforcement is off",
        arguments: [([String](), true), (["tls.crl_grace_period=3h"], false), (["tls.crl_enforce_next_update=false"], false)]
    )
    func staleCRLEndsConnections(settings: [String], ended: Bool) async throws {
        let daemon = try await TestDaemon.start(settings)
        try daemon.pki.writeCRL(revoking: [.revoked], number: 2, nextUpdate: Date().addingTimeInterval(3600))
        #expect(daemon.daemon.reload())
        try await LifeClient.withConnection(to: daemon.tlsEndpoint(.facilityA)) { client in
            let before = try await client.health.check(.init()).status
            #expect(before == .serving)
            #expect(daemon.daemon.sweepStaleCRLConnections() == 0, "the CRL is current")
            // Two hours on, the CRL is an hour past its nextUpdate.
            #expect(daemon.daemon.sweepStaleCRLConnections(at: Date().addingTimeInterval(2 * 3600)) == (ended ? 1 : 0))
            if ended {
                let error = await #expect(throws: RPCError.self) { try await client.health.check(.init()) }
                #expect(error?.code == .unavailable)
                #expect(error?.reason == "GOAWAY_certificateRevoked", "\(String(describing: error))")
            } else {
                let after = try await client.health.check(.init()).status
                #expect(after == .serving)
            }
        }
        try await daemon.stop()
    }

    @Test("revoking a certificate's fingerprint registration ends its open connections, and only those")
    func registrationRevoked() async throws {
        let daemon = try await TestDaemon.start()
        try await F.seed(daemon)
        let fingerprint = daemon.pki.issued[.unregistered]!.fingerprintSHA256
        try await LifeClient.withConnection(to: daemon.unixEndpoint) { admin in
            var request = Life_V1_CreateCertificateRegistrationRequest()
            request.facilityNumber = F.a
            request.fingerprint = fingerprint
            _ = try await admin.admin.createCertificateRegistration(request)
        }
        try await LifeClient.withConnection(to: daemon.tlsEndpoint(.unregistered)) { terminal in
            try await LifeClient.withConnection(to: daemon.tlsEndpoint(.facilityA)) { other in
                #expect(try await terminal.health.check(.init()).status == .serving)
                try await LifeClient.withConnection(to: daemon.unixEndpoint) { admin in
                    var revoke = Life_V1_RevokeCertificateRegistrationRequest()
                    revoke.fingerprint = fingerprint
                    _ = try await admin.admin.revokeCertificateRegistration(revoke)
                }
                let error = await #expect(throws: RPCError.self) { try await terminal.health.check(.init()) }
                #expect(error?.code == .unavailable)
                #expect(error?.reason == "GOAWAY_certificateRevoked", "\(String(describing: error))")
                #expect(try await other.health.check(.init()).status == .serving)
            }
        }
        try await daemon.stop()
    }
}
