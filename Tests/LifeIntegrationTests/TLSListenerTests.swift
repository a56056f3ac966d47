import LifeClient
import LifeProto
import LifeServer
import LifeWire
import TestSupport
import Testing

/// Mutual TLS with certificates made at test time: only a valid, unrevoked client certificate
/// of the configured CA gets in; TLS 1.2 only when configured.
@Suite("TLS listener")
struct TLSListenerTests {
    @Test("a facility certificate of the CA is served, Check and Watch")
    func validCertificate() async throws {
        let daemon = try await TestDaemon.start()
        try await LifeClient.withConnection(to: daemon.tlsEndpoint(.facilityA)) { client in
            let response = try await client.health.check(.init())
            #expect(response.status == .serving)
            #expect(response.server.version == LifedVersion.current)
            #expect(response.server.hasCertificateNotAfter)
            let stream = try await client.health.watch(.init())
            for try await update in stream {
                #expect(update.status == .serving)
                break
            }
        }
        try await daemon.stop()
    }

    @Test(
        "refused during the handshake",
        arguments: [TestPKI.Client?.none, .unknownCA, .expired, .revoked]
    )
    func refused(_ client: TestPKI.Client?) async throws {
        let daemon = try await TestDaemon.start()
        let error = await #expect(throws: RPCError.self) {
            try await LifeClient.withConnection(to: daemon.tlsEndpoint(client)) { try await $0.health.check(.init()) }
        }
        #expect(error?.code == .unavailable)
        #expect(daemon.daemon.tlsListener?.connectionCount == 0)
        // The daemon goes on serving valid clients.
        let ok = try await LifeClient.withConnection(to: daemon.tlsEndpoint(.facilityB)) { try await $0.health.check(.init()) }
        #expect(ok.status == .serving)
        try await daemon.stop()
    }

    @Test("TLS 1.2 is refused unless tls.min_version = 1.2")
    func tls12() async throws {
        let strict = try await TestDaemon.start()
        await #expect(throws: RPCError.self) {
            try await LifeClient.withConnection(to: strict.tlsEndpoint(.facilityA, onlyTLS12: true)) { try await $0.health.check(.init()) }
        }
        try await strict.stop()

        let lenient = try await TestDaemon.start(["tls.min_version=1.2"])
        let response = try await LifeClient.withConnection(to: lenient.tlsEndpoint(.facilityA, onlyTLS12: true)) {
            try await $0.health.check(.init())
        }
        #expect(response.status == .serving)
        try await lenient.stop()
    }

    @Test("TLS 1.2, where enabled, refuses suites without forward secrecy (openssl s_client)")
    func tls12ForwardSecrecy() async throws {
        let daemon = try await TestDaemon.start(["tls.min_version=1.2"])
        let pki = daemon.pki
        func handshake(cipher: String) async throws -> String {
            let command = [
                "openssl s_client -tls1_2 -cipher \(cipher) -connect 127.0.0.1:\(daemon.daemon.tlsListener!.port!)",
                "-CAfile \(pki.folder.file("ca.pem")) -cert \(pki.certificatePath(.facilityA)) -key \(pki.keyPath(.facilityA))",
                "< /dev/null 2>&1",
            ].joined(separator: " ")
            return try await ChildProcess.run("/bin/sh", ["-c", command]).stdout
        }
        let forwardSecret = try await handshake(cipher: "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256")
        #expect(forwardSecret.contains("Cipher is ECDHE-"), "\(forwardSecret)")
        let staticRSA = try await handshake(cipher: "AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA")
        #expect(!staticRSA.contains("Cipher is AES"), "\(staticRSA)")
        #expect(staticRSA.contains("Cipher is (NONE)") || staticRSA.contains("handshake failure"), "\(staticRSA)")
        try await daemon.stop()
    }

    @Test("max_connections refuses the next connection (closed before its TLS handshake) and serves the first")
    func connectionLimit() async throws {
        let daemon = try await TestDaemon.start(["limits.max_connections=1"])
        try await LifeClient.withConnection(to: daemon.tlsEndpoint(.facilityA)) { first in
            _ = try await first.health.check(.init())
            await #expect(throws: (any Error).self) {
                try await LifeClient.withConnection(to: daemon.tlsEndpoint(.facilityB)) { try await $0.health.check(.init()) }
            }
            let checked1 = try await first.health.check(.init()).status
            #expect(checked1 == .serving)
        }
        try await daemon.stop()
    }
}
