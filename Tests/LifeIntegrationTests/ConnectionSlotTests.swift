import Foundation
import LifeClient
import LifeWire
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Every connection gives its slot back however early the peer goes away: before the server's
/// preface, right after its own, or right after a TLS call. (Before the fix, 4,100 bare
/// connect-and-close cycles took every slot until a restart.)
@Suite("Connection slots")
struct ConnectionSlotTests {
    @Test("10 × max_connections connect-and-close cycles (bare, after the preface, over TLS) leave every slot free")
    func earlyCloses() async throws {
        let daemon = try await TestDaemon.start(["limits.max_connections=20"])
        let listener = daemon.daemon.unixListener
        for cycle in 0..<200 {
            let raw = try RawSocket(path: listener.address)
            if cycle.isMultiple(of: 2) { raw.send(Preface.bytes) }
            // RawSocket closes its descriptor when it goes, at once.
        }
        for _ in 0..<50 {
            // TLS connections that go away right after their first call.
            try await LifeClient.withConnection(to: daemon.tlsEndpoint(.facilityA)) { _ = try await $0.health.check(.init()) }
        }
        #expect(await eventually(timeout: .seconds(10)) { listener.connectionCount == 0 }, "\(listener.connectionCount) slots still taken")
        let status = try await LifeClient.withConnection(to: daemon.unixEndpoint) { try await $0.health.check(.init()).status }
        #expect(status == .serving)
        try await daemon.stop()
    }
}
