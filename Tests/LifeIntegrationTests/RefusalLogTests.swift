import Foundation
import LifeClient
import LifeWire
import TestSupport
import Testing

/// Issue 13 item 7: every refused TLS client is logged with its address — the operator's only
/// lead to who is knocking.
@Suite("Refusal logs")
struct RefusalLogTests {
    @Test("a handshake without a client certificate and a TLS 1.2 attempt are logged with the peer's address")
    func refusalsNameThePeer() async throws {
        let pki = try TestPKI(folder: TemporaryDirectory())
        let notify = try NotifyListener(path: pki.folder.file("notify.sock"))
        let child = ChildProcess(
            Products.path("lifed"), TestDaemon.configuration(folder: pki.folder).flatMap { ["--set", $0] },
            environment: ["NOTIFY_SOCKET": notify.path])
        try child.start()
        _ = await notify.waitFor("READY=1")
        let match = try #require(child.standardError.firstMatch(of: /tls 127\.0\.0\.1:(\d+)/), "\(child.standardError)")
        let port = try #require(Int(match.1))
        func options(_ client: TestPKI.Client?, onlyTLS12: Bool = false) -> TLSClientOptions {
            TLSClientOptions(
                caPath: pki.folder.file("ca.pem"), certificatePath: client.map { pki.certificatePath($0) },
                privateKeyPath: client.map { pki.keyPath($0) }, onlyTLS12: onlyTLS12)
        }
        for attempt in [options(nil), options(.facilityA, onlyTLS12: true)] {
            await #expect(throws: RPCError.self) {
                try await LifeClient.withConnection(to: .tls(host: "127.0.0.1", port: port, options: attempt)) {
                    try await $0.health.check(.init())
                }
            }
        }
        let refusals = { child.standardError.split(separator: "\n").filter { $0.contains("refused") && $0.contains("remote=127.0.0.1:") } }
        #expect(await eventually { refusals().count >= 2 }, "\(child.standardError)")
        child.signal(SIGTERM)
        #expect(await child.waitForExit() == 0)
        pki.folder.remove()
    }
}
