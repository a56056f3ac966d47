import Foundation
import LifeClient
import LifeWire
import TestSupport
import Testing
import X509

/// Issue 13 items 3 and 5 against the real daemon: a crafted chain costs a bounded amount of
/// work and cannot lock other facilities out; only clientAuth certificates get in.
@Suite("Certificate attacks")
struct CertificateAttackTests {
    /// The TLS endpoint presenting `<name>.pem` / `<name>-key.pem` of the daemon's PKI folder.
    private func endpoint(_ daemon: TestDaemon, _ name: String) -> ClientEndpoint {
        .tls(
            host: "127.0.0.1",
            port: daemon.daemon.tlsListener!.port!,
            options: TLSClientOptions(
                caPath: daemon.folder.file("ca.pem"),
                certificatePath: daemon.folder.file("\(name).pem"),
                privateKeyPath: daemon.folder.file("\(name)-key.pem")
            )
        )
    }

    @Test(
        "the crafted chain (a leaf and 9 self-issued certificates of one subject and key) is refused while other handshakes and a probe succeed"
    )
    func craftedChain() async throws {
        let daemon = try await TestDaemon.start()
        try daemon.pki.writeCraftedChain("attack", extra: 9)
        try daemon.pki.writeCraftedChain("attack-4", extra: 4)
        let attack = endpoint(daemon, "attack")
        let withinCap = endpoint(daemon, "attack-4")
        try await withThrowingTaskGroup(of: Void.self) { group in
            // More attacking handshakes than cores: unbounded, their searches held every thread
            // of the shared executor and no other handshake completed (issue 13 item 3).
            for target in [attack, attack, withinCap, withinCap] {
                group.addTask {
                    let error = await #expect(throws: RPCError.self) {
                        try await LifeClient.withConnection(to: target) { try await $0.health.check(.init()) }
                    }
                    #expect(error?.code == .unavailable)
                }
            }
            group.addTask {
                let response = try await LifeClient.withConnection(to: daemon.tlsEndpoint(.facilityB)) {
                    try await $0.health.check(.init())
                }
                #expect(response.status == .serving)
            }
            group.addTask {
                let response = try await LifeClient.withConnection(to: daemon.unixEndpoint) { try await $0.health.check(.init()) }
                #expect(response.status == .serving)
            }
            try await group.waitForAll()
        }
        #expect(await eventually { daemon.daemon.tlsListener?.connectionCount == 0 })
        let after = try await LifeClient.withConnection(to: daemon.tlsEndpoint(.facilityA)) { try await $0.health.check(.init()) }
        #expect(after.status == .serving)
        try await daemon.stop()
    }

    @Test(
        "a certificate of the CA naming a facility without the clientAuth extended key usage is refused at the handshake",
        arguments: [("server", [ExtendedKeyUsage.Usage.serverAuth]), ("email", [.emailProtection]), ("no-eku", nil)]
            as [(String, [ExtendedKeyUsage.Usage]?)]
    )
    func withoutClientAuth(name: String, usages: [ExtendedKeyUsage.Usage]?) async throws {
        let daemon = try await TestDaemon.start()
        try daemon.pki.writeIdentity(name, usages: usages)
        let error = await #expect(throws: RPCError.self) {
            try await LifeClient.withConnection(to: endpoint(daemon, name)) { try await $0.health.check(.init()) }
        }
        #expect(error?.code == .unavailable)
        try daemon.pki.writeIdentity("client", usages: [.clientAuth])
        let ok = try await LifeClient.withConnection(to: endpoint(daemon, "client")) { try await $0.health.check(.init()) }
        #expect(ok.status == .serving)
        try await daemon.stop()
    }

    @Test("a connection ends when its certificate expires")
    func expiringCertificate() async throws {
        let daemon = try await TestDaemon.start()
        let now = Date()
        try daemon.pki.writeIdentity("short", usages: [.clientAuth], validity: now.addingTimeInterval(-300)...now.addingTimeInterval(3))
        try await LifeClient.withConnection(to: endpoint(daemon, "short")) { client in
            #expect(try await client.health.check(.init()).status == .serving)
            try await Task.sleep(for: .seconds(4))
            let ended = await #expect(throws: RPCError.self) { try await client.health.check(.init()) }
            // GOAWAY CERTIFICATE_REVOKED: the certificate is no longer accepted (PROTOCOL §12.1).
            #expect(ended?.reason == "GOAWAY_certificateRevoked", "\(String(describing: ended))")
            #expect(ended?.message.contains("the client certificate has expired") == true)
        }
        #expect(await eventually { daemon.daemon.tlsListener?.connectionCount == 0 })
        try await daemon.stop()
    }
}
