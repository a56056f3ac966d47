import LifeWire
import NIOCore
import Synchronization

/// The connections of one listener, for the connection limit, draining and metrics. A
/// connection counts from the moment it is accepted — through its TLS handshake and preface —
/// not only once it is served, so connections that never finish their handshake cannot pile up
/// past the limit.
final class ConnectionRegistry: Sendable {
    private struct State {
        var connections: [ObjectIdentifier: ServerConnection] = [:]
        /// Accepted channels not yet admitted (TLS handshake, preface).
        var handshaking: Set<ObjectIdentifier> = []
        /// Open channels, served or handshaking, per remote IP address (TLS).
        var perAddress: [String: Int] = [:]
        /// Set by `drainAll`: connections admitted from then on are drained at once.
        var draining = false
    }

    private let state = Mutex(State())

    /// Why `accept` refused a channel.
    enum Refusal: Error {
        case listenerFull, addressFull
    }

    /// Counts a newly accepted channel until it is admitted or closes, and against its remote
    /// address (`address`, nil on the Unix socket) until it closes. Refuses (counting nothing)
    /// when `limit` connections, served or handshaking, are already there, or `perAddress` from
    /// that address.
    func accept(_ channel: any Channel, address: String?, limit: Int, perAddress: Int) -> Result<Void, Refusal> {
        let id = ObjectIdentifier(channel)
        let outcome = state.withLock { state -> Result<Void, Refusal> in
            guard state.connections.count + state.handshaking.count < limit else { return .failure(.listenerFull) }
            if let address {
                guard state.perAddress[address, default: 0] < perAddress else { return .failure(.addressFull) }
                state.perAddress[address, default: 0] += 1
            }
            state.handshaking.insert(id)
            return .success(())
        }
        if case .success = outcome {
            channel.closeFuture.whenComplete { [self] _ in
                state.withLock { state in
                    state.handshaking.remove(id)
                    if let address {
                        state.perAddress[address, default: 1] -= 1
                        if state.perAddress[address] == 0 { state.perAddress[address] = nil }
                    }
                }
            }
        }
        return outcome
    }

    /// Turns the channel's handshake slot into a served connection; false when the limit (which
    /// a reload may have lowered) leaves no room. Called on the channel's event loop. A connection
    /// admitted after `drainAll` (accepted just before the listener closed, still in its handshake
    /// then) gets its GOAWAY right after its SETTINGS: otherwise nothing would ever tell its client
    /// to leave, and it would hold the shutdown for the whole grace period.
    func admit(_ connection: ServerConnection, from channel: any Channel, limit: Int) -> Bool {
        let (admitted, draining) = state.withLock { state in
            state.handshaking.remove(ObjectIdentifier(channel))
            guard state.connections.count + state.handshaking.count < limit else { return (false, false) }
            state.connections[ObjectIdentifier(connection)] = connection
            return (true, state.draining)
        }
        // Queued behind the current event-loop task, which sends the preface and SETTINGS.
        if admitted, draining { channel.eventLoop.execute { connection.drain() } }
        return admitted
    }

    func remove(_ connection: ServerConnection) {
        _ = state.withLock { $0.connections.removeValue(forKey: ObjectIdentifier(connection)) }
    }

    /// Connections served.
    var count: Int { state.withLock { $0.connections.count } }

    /// Connections accepted but not yet served (TLS handshake, preface).
    var handshakingCount: Int { state.withLock { $0.handshaking.count } }

    /// Calls open across all connections.
    var openCalls: Int {
        state.withLock { Array($0.connections.values) }.reduce(0) { $0 + $1.openCalls }
    }

    /// The connections whose peer matches `predicate`.
    func connections(where predicate: (PeerIdentity) -> Bool) -> [ServerConnection] {
        state.withLock { Array($0.connections.values) }.filter { connection in connection.peerMatches(predicate) }
    }

    /// Sends GOAWAY to every connection, and to every one admitted later; each closes when its
    /// last call ends.
    func drainAll() {
        let connections = state.withLock { state in
            state.draining = true
            return Array(state.connections.values)
        }
        for connection in connections {
            connection.drain()
        }
    }
}
