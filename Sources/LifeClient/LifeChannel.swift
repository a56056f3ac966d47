import LifeWire
import NIOCore
import NIOPosix
import SwiftProtobuf
import Synchronization

/// A client of lifed that outlives its connections, like a gRPC channel: calls share one
/// connection, made on first use and made again after the server went away (GOAWAY on restart,
/// a broken connection); a call that the server never processed is sent again on the new
/// connection, within the `RetryPolicy` (attempts, backoff with jitter, the deadline) and the
/// channel's `RetryBudget`. With the daemon under socket activation (lifed.socket), a restart
/// then fails no call:
///
///     try await LifeChannel.withChannel(to: .unix(path: "/run/lifed/lifed.sock")) { channel in
///         let status = try await channel.health.check(.init(), deadline: .after(.seconds(2)))
///     }
///
/// What is sent again, and what never is, is `RetryPolicy`'s to say (PROTOCOL §16.1). A
/// server-streaming call is retried only while it could not be sent; once its stream is
/// returned, a failure ends the stream (a `WatchRecipients` resumes from its last position).
public final class LifeChannel: RPCCaller, LifeServiceClients, Sendable {
    public let endpoint: ClientEndpoint
    public let retryPolicy: RetryPolicy
    /// The retries this channel may still make (shared by all its calls).
    public let budget: RetryBudget
    private let group: any EventLoopGroup
    private let connectTimeout: Duration
    private let state = Mutex(State.idle)

    private enum State {
        case idle
        case connecting(Task<ClientConnection, any Error>)
        case connected(ClientConnection)
        case closed
    }

    public init(
        to endpoint: ClientEndpoint,
        retryPolicy: RetryPolicy = .default,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        connectTimeout: Duration = .seconds(10)
    ) {
        self.endpoint = endpoint
        self.retryPolicy = retryPolicy
        self.budget = RetryBudget(retryPolicy.budget)
        self.group = group
        self.connectTimeout = connectTimeout
    }

    /// Makes a channel, runs `body`, then closes the channel's connection.
    public static func withChannel<Result: Sendable>(
        to endpoint: ClientEndpoint,
        retryPolicy: RetryPolicy = .default,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        connectTimeout: Duration = .seconds(10),
        _ body: @Sendable (LifeChannel) async throws -> Result
    ) async throws -> Result {
        let channel = LifeChannel(to: endpoint, retryPolicy: retryPolicy, group: group, connectTimeout: connectTimeout)
        do {
            let result = try await body(channel)
            await channel.close()
            return result
        } catch {
            await channel.close()
            throw error
        }
    }

    public var caller: any RPCCaller { self }

    /// Closes the connection; calls made afterwards fail UNAVAILABLE.
    public func close() async {
        let previous = state.withLock { state in
            defer { state = .closed }
            return state
        }
        switch previous {
        case .connected(let connection): await connection.close()
        case .connecting(let task):
            task.cancel()
            await (try? task.value)?.close()
        case .idle, .closed: break
        }
    }

    // MARK: - RPCCaller

    public func unary<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ method: MethodDescriptor,
        request: Request,
        responseType: Response.Type,
        options: CallOptions
    ) async throws -> Response {
        try await withRetries(method, deadline: options.deadline) { connection in
            try await connection.unaryAttempt(method, request: request, responseType: responseType, options: options)
        }
    }

    public func serverStreaming<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ method: MethodDescriptor,
        request: Request,
        responseType: Response.Type,
        options: CallOptions
    ) async throws -> ServerStream<Response> {
        try await withRetries(method, deadline: options.deadline) { connection in
            try connection.serverStreamingAttempt(method, request: request, responseType: responseType, options: options)
        }
    }

    // MARK: - Retrying

    /// Runs `attempt` on the current connection until it succeeds or fails in a way the policy
    /// does not retry; throws the last attempt's `RPCError`.
    private func withRetries<Result>(
        _ method: MethodDescriptor,
        deadline: Deadline,
        _ attempt: (ClientConnection) async throws -> Result
    ) async throws -> Result {
        budget.deposit()
        var attempts = 1
        while true {
            do {
                return try await attempt(try await connection())
            } catch let failure as AttemptFailure {
                guard attempts < retryPolicy.maxAttempts, retryPolicy.allowsRetry(of: failure, method: method) else { throw failure.error }
                let pause = retryPolicy.backoff(afterAttempt: attempts)
                if let instant = deadline.instant, ContinuousClock.now + pause >= instant { throw failure.error }
                guard budget.withdraw() else { throw failure.error }
                do {
                    try await Task.sleep(for: pause)
                } catch {
                    throw RPCError(.cancelled, "call was cancelled")
                }
                attempts += 1
            }
        }
    }

    /// The connection to call on: the current one while it takes calls, else a new one (callers
    /// arriving meanwhile wait for the same new one). Fails with an `AttemptFailure`: nothing was
    /// sent.
    private func connection() async throws -> ClientConnection {
        enum Step {
            case use(ClientConnection)
            case wait(Task<ClientConnection, any Error>)
            case closed
        }
        let step = state.withLock { state -> Step in
            switch state {
            case .connected(let connection) where connection.isAcceptingCalls:
                return .use(connection)
            case .connecting(let task):
                return .wait(task)
            case .closed:
                return .closed
            case .idle, .connected:
                let (endpoint, group, timeout) = (endpoint, group, connectTimeout)
                let task = Task {
                    let connection = try await ClientBootstrapFactory.connect(to: endpoint, group: group, timeout: timeout)
                    try await connection.open()
                    return connection
                }
                state = .connecting(task)
                return .wait(task)
            }
        }
        switch step {
        case .use(let connection):
            return connection
        case .closed:
            throw AttemptFailure(error: RPCError(.unavailable, "the channel is closed"), outcome: .final)
        case .wait(let task):
            do {
                let connection = try await task.value
                state.withLock { state in
                    if case .connecting(let current) = state, current == task { state = .connected(connection) }
                }
                return connection
            } catch {
                state.withLock { state in
                    if case .connecting(let current) = state, current == task { state = .idle }
                }
                throw Self.connectionFailure(error)
            }
        }
    }

    /// A connection that could not be made or was refused: no call was sent on it. Worth another
    /// try unless the server refused this client for good (its uid, its certificate) or the
    /// client's own files are wrong.
    private static func connectionFailure(_ error: any Error) -> AttemptFailure {
        let rpcError = error as? RPCError ?? RPCError(.unavailable, "cannot connect: \(error)")
        let refusedForGood =
            rpcError.code != .unavailable || rpcError.reason == "GOAWAY_peerNotAllowed"
            || rpcError.reason == ClientFrameHandler.tlsHandshakeFailedReason
        return AttemptFailure(error: rpcError, outcome: refusedForGood ? .final : .notProcessed)
    }
}
