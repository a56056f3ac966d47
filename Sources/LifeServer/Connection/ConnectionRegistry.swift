import LifeWire
import Synchronization

/// The live connections of one listener, for the connection limit, draining and metrics.
final class ConnectionRegistry: Sendable {
    private let connections = Mutex<[ObjectIdentifier: ServerConnection]>([:])

    /// Adds a connection unless `limit` connections are already live.
    func insert(_ connection: ServerConnection, limit: Int) -> Bool {
        connections.withLock { connections in
            guard connections.count < limit else { return false }
            connections[ObjectIdentifier(connection)] = connection
            return true
        }
    }

    func remove(_ connection: ServerConnection) {
        _ = connections.withLock { $0.removeValue(forKey: ObjectIdentifier(connection)) }
    }

    var count: Int { connections.withLock { $0.count } }

    /// Calls open across all connections.
    var openCalls: Int {
        connections.withLock { Array($0.values) }.reduce(0) { $0 + $1.openCalls }
    }

    /// The connections whose peer matches `predicate`.
    func connections(where predicate: (PeerIdentity) -> Bool) -> [ServerConnection] {
        connections.withLock { Array($0.values) }.filter { connection in connection.peerMatches(predicate) }
    }

    /// Sends GOAWAY to every connection; each closes when its last call ends.
    func drainAll() {
        for connection in connections.withLock({ Array($0.values) }) {
            connection.drain()
        }
    }
}
