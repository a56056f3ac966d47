import Foundation
import LifeClient
import LifeWire
import SwiftASN1
import TestSupport
import Testing
import X509

/// Issue 13 item 4 against the real daemon: revocation fails closed — a CRL that is not current
/// refuses its CA's handshakes, an older or partial CRL is refused on reload and the one in force
/// stays.
@Suite("Revocation fails closed")
struct RevocationTests {
    private func check(_ daemon: TestDaemon, _ client: TestPKI.Client) async throws -> Bool {
        do {
            return try await LifeClient.withConnection(to: daemon.tlsEndpoint(client)) { try await $0.health.check(.init()) }.status
                == .serving
        } catch let error as RPCError where error.code == .unavailable {
            return false
        }
    }

    @Test(
        "a CRL past its nextUpdate refuses the CA's handshakes unless a grace period covers it or enforcement is off",
        arguments: [([String](), false), (["tls.crl_grace_period=2h"], true), (["tls.crl_enforce_next_update=false"], true)]
    )
    func staleCRL(settings: [String], admitted: Bool) async throws {
        let daemon = try await TestDaemon.start(settings)
        #expect(try await check(daemon, .facilityA))
        let now = Date()
        try daemon.pki.writeCRL(
            revoking: [.revoked], number: 2, thisUpdate: now.addingTimeInterval(-2 * 86400), nextUpdate: now.addingTimeInterval(-3600))
        // The stale CRL loads (the daemon keeps serving the Unix socket and other CAs) and is
        // reported in the log; it decides the CA's handshakes.
        #expect(daemon.daemon.reload())
        #expect(try await check(daemon, .facilityA) == admitted)
        #expect(try await check(daemon, .revoked) == false)
        try await daemon.stop()
    }

    @Test("a CRL not yet valid (thisUpdate ahead of the clock) refuses the CA's handshakes")
    func futureCRL() async throws {
        let daemon = try await TestDaemon.start()
        let now = Date()
        try daemon.pki.writeCRL(
            revoking: [], number: 2, thisUpdate: now.addingTimeInterval(3600), nextUpdate: now.addingTimeInterval(86400))
        #expect(daemon.daemon.reload())
        #expect(try await check(daemon, .facilityA) == false)
        try await daemon.stop()
    }

    @Test("an older CRL (lower CRL number) is refused on reload and the newer one stays in force")
    func olderCRL() async throws {
        let daemon = try await TestDaemon.start()
        try daemon.pki.writeCRL(revoking: [.revoked, .facilityB], number: 5)
        #expect(daemon.daemon.reload())
        #expect(try await check(daemon, .facilityB) == false)
        try daemon.pki.writeCRL(revoking: [.revoked], number: 3)
        #expect(!daemon.daemon.reload())
        #expect(try await check(daemon, .facilityB) == false)
        #expect(try await check(daemon, .facilityA))
        try await daemon.stop()
    }

    @Test(
        "a delta or partial CRL is refused on reload and the complete one stays in force",
        arguments: [([2, 5, 29, 27], [0x02, 0x01, 0x01]), ([2, 5, 29, 28], [0x30, 0x00])] as [(ASN1ObjectIdentifier, [UInt8])]
    )
    func incompleteCRL(oid: ASN1ObjectIdentifier, value: [UInt8]) async throws {
        let daemon = try await TestDaemon.start()
        try daemon.pki.writeCRL(
            revoking: [], number: 2, extensions: [Certificate.Extension(oid: oid, critical: true, value: value[...])])
        #expect(!daemon.daemon.reload())
        #expect(try await check(daemon, .revoked) == false)
        #expect(try await check(daemon, .facilityA))
        try await daemon.stop()
    }
}
