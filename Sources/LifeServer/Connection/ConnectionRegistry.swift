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
    }

    private let state = Mutex(State())

    /// Counts a newly accepted channel until it is admitted or closes; false (nothing counted)
    /// when `limit` connections, admitted or still handshaking, are already there.
    func accept(_ channel: any Channel, limit: Int) -> Bool {
        let id = ObjectIdentifier(channel)
        let counted = state.withLock { state in
            guard state.connections.count + state.handshaking.count < limit else { return false }
            state.handshaking.insert(id)
            return true
        }
        if counted {
            channel.closeFuture.whenComplete { [self] _ in _ = state.withLock { $0.handshaking.remove(id) } }
        }
        return counted
    }

    /// Turns the channel's handshake slot into a served connection; false when the limit (which
    /// a reload may have lowered) leaves no room.
    func admit(_ connection: ServerConnection, from channel: any Channel, limit: Int) -> Bool {
        state.withLock { state in
            state.handshaking.remove(ObjectIdentifier(channel))
            guard state.connections.count + state.handshaking.count < limit else { return false }
            state.connections[ObjectIdentifier(connection)] = connection
            return true
        }
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

    /// Sends GOAWAY to every connection; each closes when its last call ends.
    func drainAll() {
        for connection in state.withLock({ Array($0.connections.values) }) {
            connection.drain()
        }
    }
}
