import Foundation
import LifeClient
import LifeProto
import LifeWire
import TestSupport
import Testing

/// The real `lifed` executable as systemd runs it: sd_notify, SIGHUP reload, SIGTERM drain,
/// configuration errors.
@Suite("lifed process")
struct DaemonProcessTests {
    /// Starts lifed with the test configuration and waits for READY=1.
    private func startLifed(_ pki: TestPKI, extra: [String] = [], environment: [String: String] = [:]) async throws
        -> (ChildProcess, NotifyListener, [String])
    {
        let notify = try NotifyListener(path: pki.folder.file("notify.sock"))
        let settings = TestDaemon.configuration(folder: pki.folder) + extra
        let child = ChildProcess(
            Products.path("lifed"),
            settings.flatMap { ["--set", $0] },
            environment: environment.merging(["NOTIFY_SOCKET": notify.path]) { $1 }
        )
        try child.start()
        let messages = await notify.waitFor("READY=1")
        return (child, notify, messages)
    }

    private func tlsPort(from stderr: String) throws -> Int {
        let match = try #require(stderr.firstMatch(of: /tls 127\.0\.0\.1:(\d+)/), "no TLS address in: \(stderr)")
        return try #require(Int(match.1))
    }

    private func endpoint(_ pki: TestPKI, port: Int, _ client: TestPKI.Client) -> ClientEndpoint {
        .tls(
            host: "127.0.0.1",
            port: port,
            options: TLSClientOptions(
                caPath: pki.folder.file("ca.pem"), certificatePath: pki.certificatePath(client), privateKeyPath: pki.keyPath(client))
        )
    }

    @Test("READY=1 once serving, WATCHDOG=1 when asked, STOPPING=1 on SIGTERM, exit 0")
    func notify() async throws {
        let pki = try TestPKI(folder: TemporaryDirectory())
        let (child, notify, ready) = try await startLifed(pki, environment: ["WATCHDOG_USEC": "200000"])
        #expect(ready.contains { $0.contains("READY=1") }, "got \(ready); stderr: \(child.standardError)")
        #expect(ready.joined().contains("STATUS=serving on"))
        let probe = try await LifeClient.withConnection(to: .unix(path: pki.folder.file("lifed.sock"))) {
            try await $0.health.check(.init())
        }
        #expect(probe.status == .serving)
        // Started with the test runner's umask (typically 0022): the data files are 0600 anyway.
        for file in ["data/lifed.sqlite", "data/lifed.sqlite-wal"] {
            let mode = try FileManager.default.attributesOfItem(atPath: pki.folder.file(file))[.posixPermissions] as? Int
            #expect(mode.map { $0 & 0o077 } == 0, "\(file) is \(String(mode ?? 0, radix: 8))")
        }
        let watchdog = await notify.waitFor("WATCHDOG=1")
        #expect(watchdog.contains { $0.contains("WATCHDOG=1") })
        child.signal(SIGTERM)
        let stopping = await notify.waitFor("STOPPING=1")
        #expect(stopping.contains { $0.contains("STOPPING=1") })
        #expect(await child.waitForExit() == 0)
        pki.folder.remove()
    }

    @Test("SIGTERM drains a call in flight: it ends cleanly, then lifed exits 0")
    func drain() async throws {
        let pki = try TestPKI(folder: TemporaryDirectory())
        let (child, _, _) = try await startLifed(pki)
        let statuses = try await LifeClient.withConnection(to: .unix(path: pki.folder.file("lifed.sock"))) { client in
            let stream = try await client.health.watch(.init())
            var statuses: [Life_V1_ServingStatus] = []
            for try await update in stream {
                statuses.append(update.status)
                if statuses.count == 1 { child.signal(SIGTERM) }
            }
            return statuses  // The stream ended with an OK trailer (else the loop would throw).
        }
        #expect(statuses == [.serving, .notServing])
        #expect(await child.waitForExit() == 0)
        pki.folder.remove()
    }

    @Test("SIGHUP with a new CRL refuses the revoked certificate, ends its open connection, keeps the others")
    func reloadCRL() async throws {
        let pki = try TestPKI(folder: TemporaryDirectory())
        let (child, notify, _) = try await startLifed(pki)
        let port = try tlsPort(from: child.standardError)
        try await LifeClient.withConnection(to: endpoint(pki, port: port, .facilityB)) { other in
            try await LifeClient.withConnection(to: endpoint(pki, port: port, .facilityA)) { doomed in
                let before = try await doomed.health.check(.init()).status
                #expect(before == .serving)

                try pki.writeCRL(revoking: [.revoked, .facilityA], number: 2)
                child.signal(SIGHUP)
                let reload = await notify.waitFor("READY=1")
                #expect(reload.contains { $0.contains("RELOADING=1") })

                // The connection the revoked certificate already had is ended…
                let ended = await #expect(throws: RPCError.self) { _ = try await doomed.health.check(.init()) }
                #expect(ended?.code == .unavailable)
            }
            // …and a new one is refused in the handshake.
            let error = await #expect(throws: RPCError.self) {
                try await LifeClient.withConnection(to: endpoint(pki, port: port, .facilityA)) { try await $0.health.check(.init()) }
            }
            #expect(error?.code == .unavailable)
            // Other facilities' connections are not dropped by the reload.
            let kept = try await other.health.check(.init()).status
            #expect(kept == .serving)
        }
        #expect(child.standardError.contains("is revoked"))
        #expect(child.standardError.contains("whose client certificate the new CRL revokes"))
        child.signal(SIGTERM)
        #expect(await child.waitForExit() == 0)
        pki.folder.remove()
    }

    @Test("SIGHUP with a broken CRL keeps the previous one and says why")
    func reloadBadFile() async throws {
        let pki = try TestPKI(folder: TemporaryDirectory())
        let (child, notify, _) = try await startLifed(pki)
        try pki.folder.write("not a CRL", to: "crl.pem")
        child.signal(SIGHUP)
        _ = await notify.waitFor("READY=1")
        let port = try tlsPort(from: child.standardError)
        let ok = try await LifeClient.withConnection(to: endpoint(pki, port: port, .facilityA)) { try await $0.health.check(.init()) }
        #expect(ok.status == .serving)
        let refused = await #expect(throws: RPCError.self) {
            try await LifeClient.withConnection(to: endpoint(pki, port: port, .revoked)) { try await $0.health.check(.init()) }
        }
        #expect(refused != nil, "the old CRL still revokes")
        #expect(child.standardError.contains("reload failed; keeping the previous configuration"))
        child.signal(SIGTERM)
        #expect(await child.waitForExit() == 0)
        pki.folder.remove()
    }

    @Test(
        "an invalid value refuses start and names the key",
        arguments: [
            ("limits.max_frame_size=lots", "limits.max_frame_size"),
            ("tls.min_version=1.0", "tls.min_version"),
            ("limits.idle_timeout=5 minutes", "limits.idle_timeout"),
            ("no.such_key=1", "no.such_key"),
        ])
    func invalidConfig(_ setting: String, key: String) async throws {
        let folder = try TemporaryDirectory()
        let result = try await ChildProcess.run(Products.path("lifed"), ["--set", "data_dir=\(folder.file("data"))", "--set", setting])
        #expect(result.status == 78)
        #expect(result.stderr.contains(key), "stderr: \(result.stderr)")
        folder.remove()
    }

    @Test("a missing TLS file refuses start and names the file")
    func missingTLSFile() async throws {
        let folder = try TemporaryDirectory()
        let result = try await ChildProcess.run(
            Products.path("lifed"),
            [
                "--set", "data_dir=\(folder.file("data"))", "--set", "unix.path=\(folder.file("s.sock"))", "--set",
                "tls.certificate=\(folder.file("nope.pem"))",
            ]
        )
        #expect(result.status != 0)
        #expect(result.stderr.contains("nope.pem"))
        folder.remove()
    }

    @Test("a missing audit anchor key refuses start, names audit.anchor_key and says how to make one")
    func missingAuditAnchorKey() async throws {
        let folder = try TemporaryDirectory()
        let result = try await ChildProcess.run(
            Products.path("lifed"),
            [
                "--set", "data_dir=\(folder.file("data"))", "--set", "unix.path=\(folder.file("s.sock"))", "--set", "tls.listen=",
                "--set", "audit.anchor_key=\(folder.file("no-key"))",
            ]
        )
        #expect(result.status == 78)
        #expect(result.stderr.contains("audit.anchor_key") && result.stderr.contains("head -c 32 /dev/urandom"), "stderr: \(result.stderr)")
        folder.remove()
    }
}
