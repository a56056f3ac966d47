import LifeClient
import LifeProto
import LifeServer
import LifeWire
import NIOCore
import Synchronization
import TestSupport
import Testing

/// One accepted connection whose setup fails costs that connection only; the listener goes on.
/// And the socket options a listener sets need no privilege.
@Suite("Connection setup")
struct ConnectionSetupTests {
    private struct InjectedFailure: Error {}

    /// Fails the setup of the first `failures` connections; records TCP_NODELAY of each TCP one.
    private final class SetupProbe: Sendable {
        private let state: Mutex<(remainingFailures: Int, noDelay: [Int32])>

        init(failures: Int) { state = Mutex((failures, [])) }

        var noDelay: [Int32] { state.withLock { $0.noDelay } }

        var hook: Listener.SetupHook {
            { channel in
                if channel.localAddress?.port != nil {
                    let value = try channel.syncOptions?.getOption(.tcpOption(.tcp_nodelay)) ?? -1
                    self.state.withLock { $0.noDelay.append(Int32(value)) }
                }
                let fail = self.state.withLock { state in
                    defer { state.remainingFailures -= 1 }
                    return state.remainingFailures > 0
                }
                if fail { throw InjectedFailure() }
            }
        }
    }

    enum Transport: String, CaseIterable { case unix, tls }

    private func endpoint(_ daemon: TestDaemon, _ transport: Transport) -> ClientEndpoint {
        transport == .unix ? daemon.unixEndpoint : daemon.tlsEndpoint(.facilityA)
    }

    @Test("a connection whose setup fails is closed; the listener keeps accepting", arguments: Transport.allCases)
    func failedSetup(_ transport: Transport) async throws {
        let probe = SetupProbe(failures: 2)
        let daemon = try await TestDaemon.start(setupHook: probe.hook)
        for _ in 0..<2 {
            let error = await #expect(throws: RPCError.self) {
                try await LifeClient.withConnection(to: endpoint(daemon, transport)) { try await $0.health.check(.init()) }
            }
            #expect(error?.code == .unavailable)
        }
        for _ in 0..<3 {
            let response = try await LifeClient.withConnection(to: endpoint(daemon, transport)) { try await $0.health.check(.init()) }
            #expect(response.status == .serving)
        }
        let listener = transport == .unix ? daemon.daemon.unixListener : try #require(daemon.daemon.tlsListener)
        #expect(await eventually { listener.connectionCount == 0 })
        try await daemon.stop()
    }

    @Test("accepted TLS connections have TCP_NODELAY on")
    func noDelay() async throws {
        let probe = SetupProbe(failures: 0)
        let daemon = try await TestDaemon.start(setupHook: probe.hook)
        _ = try await LifeClient.withConnection(to: daemon.tlsEndpoint(.facilityA)) { try await $0.health.check(.init()) }
        #expect(probe.noDelay.count == 1)
        #expect(probe.noDelay.allSatisfy { $0 != 0 }, "TCP_NODELAY per connection: \(probe.noDelay)")
        try await daemon.stop()
    }

    @Test("the suite runs with every capability dropped when Scripts/test.sh says so")
    func unprivileged() {
        if Privileges.runExpectsNoCapabilities {
            #expect(Privileges.effectiveCapabilities == 0, "CapEff \(String(Privileges.effectiveCapabilities, radix: 16))")
        }
    }
}
