import Foundation
import LifeProto
import LifeWire
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import Synchronization

/// One bound socket — the Unix admin socket or the TLS port — with its accept loop. Binding
/// happens in the `bindUnix`/`bindTLS` factories (so the daemon reports READY only once every
/// listener is bound, and port 0 is resolved); `run()` serves until graceful shutdown, then
/// drains: GOAWAY to every connection, calls in flight complete, the listener returns.
public final class Listener: Service, Sendable {
    typealias ServerChannel = NIOAsyncChannel<AcceptedConnection, Never>
    /// Runs in every accepted connection's setup, on its event loop, after the socket options
    /// and before the protocol handlers; a throw drops that connection. Tests use it to inspect
    /// the socket and to inject setup failures.
    public typealias SetupHook = @Sendable (any Channel) throws -> Void

    /// "unix" or "tls", for logs.
    public let name: String
    /// Where it listens: the socket path, or host:port.
    public let address: String
    /// The bound TCP port; nil for the Unix socket.
    public let port: Int?

    private let serverChannel: ServerChannel
    private let registry: ConnectionRegistry
    private let draining = Mutex(false)
    private let logger: Logger
    private let cleanup: @Sendable () -> Void

    private init(
        name: String,
        address: String,
        port: Int?,
        serverChannel: ServerChannel,
        registry: ConnectionRegistry,
        logger: Logger,
        cleanup: @escaping @Sendable () -> Void
    ) {
        self.name = name
        self.address = address
        self.port = port
        self.serverChannel = serverChannel
        self.registry = registry
        self.logger = logger
        self.cleanup = cleanup
    }

    /// Connections now open.
    public var connectionCount: Int { registry.count }
    /// Calls now open across all connections.
    public var openCalls: Int { registry.openCalls }

    // MARK: - Binding

    /// Binds the Unix socket at `path` with permission `mode`. Refuses if another process is
    /// serving on that path; removes a stale socket file left by a crash.
    public static func bindUnix(
        path: String,
        mode: mode_t,
        policy: Reloadable<UnixPeerPolicy>,
        router: RPCRouter,
        limits: Reloadable<ConnectionLimits>,
        group: any EventLoopGroup,
        logger: Logger,
        setupHook: SetupHook? = nil
    ) async throws -> Listener {
        try await refuseIfServed(path: path, group: group)
        let registry = ConnectionRegistry()
        let admit = admission(router: router, limits: limits, registry: registry, policy: policy, logger: logger)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
        let serverChannel: ServerChannel = try await bootstrap.bind(
            unixDomainSocketPath: path,
            cleanupExistingSocketFile: true
        ) { channel in
            channel.eventLoop.makeCompletedFuture {
                try setUp(channel, listener: "unix", logger: logger) {
                    try setupHook?(channel)
                    return try accept(channel, isTLS: false, limits: limits.current, logger: logger, admit: admit)
                }
            }
        }
        guard chmod(path, mode) == 0 else {
            let reason = String(cString: strerror(errno))
            try? await serverChannel.channel.close()
            throw ListenerError(description: "cannot set mode of \(path) to \(String(mode, radix: 8)): \(reason)")
        }
        return Listener(
            name: "unix",
            address: path,
            port: nil,
            serverChannel: serverChannel,
            registry: registry,
            logger: logger,
            cleanup: { unlink(path) }
        )
    }

    /// Binds the TLS listener on host:port (port 0 picks a free port). Each handshake uses the
    /// TLS material current at that moment, so a reload affects new connections only.
    public static func bindTLS(
        host: String,
        port: Int,
        material: Reloadable<TLSMaterial>,
        router: RPCRouter,
        limits: Reloadable<ConnectionLimits>,
        group: any EventLoopGroup,
        logger: Logger,
        setupHook: SetupHook? = nil
    ) async throws -> Listener {
        let registry = ConnectionRegistry()
        let admit = admission(router: router, limits: limits, registry: registry, policy: nil, logger: logger)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        let serverChannel: ServerChannel = try await bootstrap.bind(host: host, port: port) { channel in
            channel.eventLoop.makeCompletedFuture {
                try setUp(channel, listener: "tls", logger: logger) {
                    // Calls are small request/response exchanges: send each frame at once.
                    // (TCP level: `.socketOption` would be SOL_SOCKET, where 1 is SO_DEBUG.)
                    try channel.syncOptions?.setOption(.tcpOption(.tcp_nodelay), value: 1)
                    try setupHook?(channel)
                    return try secure(channel, material: material.current, limits: limits.current, logger: logger, admit: admit)
                }
            }
        }
        let boundPort = serverChannel.channel.localAddress?.port ?? port
        return Listener(
            name: "tls",
            address: host.contains(":") ? "[\(host)]:\(boundPort)" : "\(host):\(boundPort)",
            port: boundPort,
            serverChannel: serverChannel,
            registry: registry,
            logger: logger,
            cleanup: {}
        )
    }

    /// Runs the setup of one accepted connection. Whatever fails there (a socket option, a
    /// handler) costs that connection only: it is logged once with the peer's address and
    /// closed, and the accept loop goes on. (A failed setup must not reach the server channel:
    /// an error there would end the accept loop, and with it the listener.)
    private static func setUp(
        _ channel: any Channel,
        listener: String,
        logger: Logger,
        _ body: () throws -> AcceptedConnection
    ) throws -> AcceptedConnection {
        do {
            return try body()
        } catch {
            logger.warning(
                "dropped a new connection: its setup failed",
                metadata: ["listener": "\(listener)", "remote": "\(channel.remoteAddress?.logDescription ?? "local")", "error": "\(error)"]
            )
            channel.close(promise: nil)
            throw error
        }
    }

    /// Puts TLS with the client-certificate check of `material` in front of a new connection.
    private static func secure(
        _ channel: any Channel,
        material: TLSMaterial,
        limits: ConnectionLimits,
        logger: Logger,
        admit: @escaping ServerFrameHandler.Admission
    ) throws -> AcceptedConnection {
        let remote = channel.remoteAddress?.logDescription ?? "unknown"
        let verifier = material.verifier
        let tlsHandler = NIOSSLServerHandler(context: material.context) { certificates, promise in
            promise.completeWithTask {
                switch await verifier.verify(certificates) {
                case .valid:
                    return .certificateVerified(VerificationMetadata(nil))
                case .invalid(let reason):
                    logger.notice("TLS client refused", metadata: ["remote": "\(remote)", "reason": "\(reason)"])
                    return .failed
                }
            }
        }
        try channel.pipeline.syncOperations.addHandler(tlsHandler)
        return try accept(channel, isTLS: true, limits: limits, logger: logger, admit: admit)
    }

    /// Adds the frame decoder, the handshake timer and the frame handler to a new connection.
    private static func accept(
        _ channel: any Channel,
        isTLS: Bool,
        limits: ConnectionLimits,
        logger: Logger,
        admit: @escaping ServerFrameHandler.Admission
    ) throws -> AcceptedConnection {
        let remote = channel.remoteAddress?.logDescription ?? "local"
        let admitted = channel.eventLoop.makePromise(of: ServerConnection?.self)
        let operations = channel.pipeline.syncOperations
        try operations.addHandler(ByteToMessageHandler(FrameDecoder(maxFrameSize: limits.maxFrameSize)))
        try operations.addHandler(
            HandshakeTimeoutHandler(timeout: TimeAmount(saturating: limits.handshakeTimeout), transportReady: !isTLS) {
                logger.notice("closing connection: handshake and preface not complete in time", metadata: ["remote": "\(remote)"])
            }
        )
        try operations.addHandler(ServerFrameHandler(isTLS: isTLS, admitted: admitted, logger: logger, admit: admit))
        return AcceptedConnection(channel: channel, connection: admitted.futureResult)
    }

    /// Decides, on the event loop, whether a proven peer is served: the Unix allow-list, then the
    /// connection limit. An admitted peer gets a `ServerConnection` registered here.
    private static func admission(
        router: RPCRouter,
        limits: Reloadable<ConnectionLimits>,
        registry: ConnectionRegistry,
        policy: Reloadable<UnixPeerPolicy>?,
        logger: Logger
    ) -> ServerFrameHandler.Admission {
        { peer, channel in
            var connectionLogger = logger
            connectionLogger[metadataKey: "peer"] = "\(peer.logDescription)"
            if case .unix(let unixPeer) = peer, let refusal = policy?.current.refusal(for: unixPeer) {
                connectionLogger.warning("Unix socket peer refused: \(refusal)")
                return .failure(.init(reason: .peerNotAllowed, message: "this user may not use the lifed socket"))
            }
            let limits = limits.current
            let connection = ServerConnection(channel: channel, peer: peer, router: router, limits: limits, logger: connectionLogger)
            guard registry.insert(connection, limit: limits.maxConnections) else {
                connectionLogger.warning("connection refused: limit of \(limits.maxConnections) connections reached")
                return .failure(.init(reason: .tooManyConnections, message: "server has too many connections; retry later"))
            }
            connectionLogger.debug("connection open")
            return .success(connection)
        }
    }

    private static func refuseIfServed(path: String, group: any EventLoopGroup) async throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        let probe = try? await ClientBootstrap(group: group).connect(unixDomainSocketPath: path).get()
        guard let probe else { return }
        try? await probe.close()
        throw ListenerError(description: "another process is already serving on \(path)")
    }

    // MARK: - Serving

    public func run() async throws {
        logger.info("listening", metadata: ["listener": "\(name)", "address": "\(address)"])
        defer { cleanup() }
        try await serverChannel.executeThenClose { inbound in
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask {
                    try await gracefulShutdown()
                    await self.drain()
                }
                for try await accepted in inbound {
                    group.addTask { await self.serve(accepted) }
                }
                // The socket closed without a drain: a failure, not a stop. Exiting 0 would look
                // like a clean stop to systemd (Restart=on-failure) and leave the daemon down.
                if !draining.withLock({ $0 }), !Task.isCancelled {
                    logger.error("stopped accepting connections unexpectedly", metadata: ["listener": "\(name)"])
                    throw ListenerError(description: "the \(name) listener on \(address) stopped accepting connections unexpectedly")
                }
            }
        }
        logger.info("stopped", metadata: ["listener": "\(name)"])
    }

    /// Stops accepting and sends GOAWAY to every connection; each closes once its calls end.
    /// Idempotent.
    public func drain() async {
        guard
            draining.withLock({ state in
                defer { state = true }; return !state
            })
        else { return }
        logger.info("draining", metadata: ["listener": "\(name)", "connections": "\(registry.count)"])
        serverChannel.channel.close(promise: nil)
        registry.drainAll()
    }

    /// Ends, at once and with GOAWAY CERTIFICATE_REVOKED, every connection whose certificate
    /// `material` revokes; returns how many. A reload calls it, so a newly revoked certificate
    /// does not keep the connection it already had.
    public func dropConnections(revokedBy material: TLSMaterial) -> Int {
        let revoked = registry.connections(where: material.revokes)
        for connection in revoked {
            connection.terminate(reason: .certificateRevoked, message: "the client certificate has been revoked")
        }
        return revoked.count
    }

    /// Serves one admitted connection until it closes; a cancelled task (the grace period is
    /// over) closes it.
    private func serve(_ accepted: AcceptedConnection) async {
        guard let connection = try? await accepted.connection.get() else { return }
        defer { registry.remove(connection) }
        await withTaskCancellationHandler {
            await connection.run()
        } onCancel: {
            accepted.channel.close(promise: nil)
        }
    }
}

/// A listener that cannot be set up.
public struct ListenerError: Error, CustomStringConvertible {
    public let description: String

    public init(description: String) {
        self.description = description
    }
}
