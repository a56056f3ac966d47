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
/// concurrently and share the connection.
public struct LifeClient: Sendable {
    /// The underlying connection (any typed client can be made over it).
    public let connection: ClientConnection

    public var health: Life_V1_HealthClient { Life_V1_HealthClient(caller: connection) }
    public var auth: Life_V1_AuthClient { Life_V1_AuthClient(caller: connection) }
    public var staff: Life_V1_StaffClient { Life_V1_StaffClient(caller: connection) }
    public var recipients: Life_V1_RecipientsClient { Life_V1_RecipientsClient(caller: connection) }
    public var verification: Life_V1_VerificationClient { Life_V1_VerificationClient(caller: connection) }
    public var admin: Life_V1_AdminClient { Life_V1_AdminClient(caller: connection) }

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
