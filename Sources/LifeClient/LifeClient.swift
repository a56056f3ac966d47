import LifeStubs
import LifeWire
import NIOCore
import NIOPosix
import NIOSSL

/// A connection to lifed with a typed client per service:
///
///     try await LifeClient.withConnection(to: .unix(path: "/run/lifed/lifed.sock")) { client in
///         let status = try await client.health.check(.init(), deadline: .after(.seconds(2)))
///     }
///
/// The connection lives exactly as long as the closure; calls made inside it may run
/// concurrently and share the connection. A call fails when the connection does (a restart of
/// the daemon, say) and is never sent again: for calls that survive restarts, use `LifeChannel`.
public struct LifeClient: LifeServiceClients, Sendable {
    /// The underlying connection (any typed client can be made over it).
    public let connection: ClientConnection

    public var caller: any RPCCaller { connection }

    /// Connects (TLS handshake and the server's preface included), runs `body`, then closes.
    /// Throws `RPCError` UNAVAILABLE when the server cannot be reached or refuses the connection.
    public static func withConnection<Result: Sendable>(
        to endpoint: ClientEndpoint,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        connectTimeout: Duration = .seconds(10),
        _ body: @Sendable (LifeClient) async throws -> Result
    ) async throws -> Result {
        let connection = try await ClientBootstrapFactory.connect(to: endpoint, group: group, timeout: connectTimeout)
        return try await connection.run { connection in
            try await body(LifeClient(connection: connection))
        }
    }
}
