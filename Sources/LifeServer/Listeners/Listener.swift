import Foundation
import LifePKI
import LifeProto
import LifeWire
import Logging
import Metrics
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import Synchronization
import X509

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
    /// Whether the socket was passed by systemd (socket activation) rather than bound here.
    public let isPassed: Bool

    private let serverChannel: ServerChannel
    private let registry: ConnectionRegistry
    private let draining = Mutex(false)
    private let logger: Logger
    private let cleanup: @Sendable () -> Void
    /// Hears each TLS peer the listener admits, once its connection is served (the readiness
    /// report notes the certificate: a handshake completed, whether or not a call follows).
    private let admitted: @Sendable (TLSPeer) async -> Void

    private init(
        name: String,
        address: String,
        port: Int?,
        isPassed: Bool,
        serverChannel: ServerChannel,
        registry: ConnectionRegistry,
        logger: Logger,
        cleanup: @escaping @Sendable () -> Void,
        admitted: @escaping @Sendable (TLSPeer) async -> Void = { _ in }
    ) {
        self.admitted = admitted
        self.name = name
        self.address = address
        self.port = port
        self.isPassed = isPassed
        self.serverChannel = serverChannel
        self.registry = registry
        self.logger = logger
        self.cleanup = cleanup
    }

    /// Connections now open.
    public var connectionCount: Int { registry.count }

    /// Connections accepted but not yet served (in their TLS handshake, or before their preface).
    public var handshakingCount: Int { registry.handshakingCount }
    /// Calls now open across all connections.
    public var openCalls: Int { registry.openCalls }

    // MARK: - Binding

    /// Binds the Unix socket at `path` with permission `mode`. Refuses if another process is
    /// serving on that path; removes a stale socket file left by a crash. With `passedSocket` (a
    /// listening socket systemd passed), serves that one instead: its path, owner and mode are the
    /// `.socket` unit's, and the file is left in place at the end, for the next start.
    public static func bindUnix(
        path: String,
        mode: mode_t,
        passedSocket: CInt? = nil,
        policy: Reloadable<UnixPeerPolicy>,
        router: RPCRouter,
        limits: Reloadable<ConnectionLimits>,
        group: any EventLoopGroup,
        logger: Logger,
        metrics: any MetricsFactory = NOOPMetricsHandler.instance,
        setupHook: SetupHook? = nil
    ) async throws -> Listener {
        let registry = ConnectionRegistry()
        let events = PeerEventLog(logger: logger, listener: "unix", metrics: metrics)
        let admit = admission(
            router: router, limits: limits, registry: registry, policy: policy, material: nil, events: events, logger: logger)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: Self.acceptBacklog)
        let initializer: @Sendable (any Channel) -> EventLoopFuture<AcceptedConnection> = { channel in
            channel.eventLoop.makeCompletedFuture {
                try acceptUnix(
                    channel, registry: registry, limits: limits, events: events, logger: logger, setupHook: setupHook, admit: admit)
            }
        }
        if let passedSocket {
            let serverChannel = try await adopt(passedSocket, bootstrap: bootstrap, initializer)
            return Listener(
                name: "unix",
                address: serverChannel.channel.localAddress?.pathname ?? path,
                port: nil,
                isPassed: true,
                serverChannel: serverChannel,
                registry: registry,
                logger: logger,
                cleanup: {}
            )
        }
        try await refuseIfServed(path: path, group: group)
        let serverChannel: ServerChannel = try await bootstrap.bind(
            unixDomainSocketPath: path,
            cleanupExistingSocketFile: true,
            childChannelInitializer: initializer
        )
        guard chmod(path, mode) == 0 else {
            let reason = String(cString: strerror(errno))
            try? await serverChannel.channel.close()
            throw ListenerError(description: "cannot set mode of \(path) to \(String(mode, radix: 8)): \(reason)")
        }
        return Listener(
            name: "unix",
            address: path,
            port: nil,
            isPassed: false,
            serverChannel: serverChannel,
            registry: registry,
            logger: logger,
            cleanup: { unlink(path) }
        )
    }

    /// Binds the TLS listener on host:port (port 0 picks a free port). Each handshake is judged by
    /// the TLS material current when its certificate is verified, and judged again for revocation
    /// when it is admitted, so a reload affects new connections and handshakes in progress. With
    /// `passedSocket` (a listening socket systemd passed), serves that one instead of binding.
    public static func bindTLS(
        host: String,
        port: Int,
        passedSocket: CInt? = nil,
        material: Reloadable<TLSMaterial>,
        router: RPCRouter,
        limits: Reloadable<ConnectionLimits>,
        group: any EventLoopGroup,
        logger: Logger,
        metrics: any MetricsFactory = NOOPMetricsHandler.instance,
        setupHook: SetupHook? = nil,
        admitted: @escaping @Sendable (TLSPeer) async -> Void = { _ in }
    ) async throws -> Listener {
        let registry = ConnectionRegistry()
        let events = PeerEventLog(logger: logger, listener: "tls", metrics: metrics)
        let admit = admission(
            router: router, limits: limits, registry: registry, policy: nil, material: material, events: events, logger: logger)
        logWarnings(of: material.current, logger: logger)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: Self.acceptBacklog)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        let initializer: @Sendable (any Channel) -> EventLoopFuture<AcceptedConnection> = { channel in
            channel.eventLoop.makeCompletedFuture {
                try setUp(channel, events: events, logger: logger) {
                    guard let limits = counted(channel, in: registry, limits: limits, events: events, logger: logger) else {
                        return refused(channel)
                    }
                    // Calls are small request/response exchanges: send each frame at once.
                    // (TCP level: `.socketOption` would be SOL_SOCKET, where 1 is SO_DEBUG.)
                    try channel.syncOptions?.setOption(.tcpOption(.tcp_nodelay), value: 1)
                    try setupHook?(channel)
                    return try secure(channel, material: material, limits: limits, events: events, logger: logger, admit: admit)
                }
            }
        }
        let serverChannel: ServerChannel =
            if let passedSocket {
                try await adopt(passedSocket, bootstrap: bootstrap, initializer)
            } else {
                try await bootstrap.bind(host: host, port: port, childChannelInitializer: initializer)
            }
        let local = serverChannel.channel.localAddress
        let boundHost = passedSocket == nil ? host : local?.ipAddress ?? host
        let boundPort = local?.port ?? port
        return Listener(
            name: "tls",
            address: boundHost.contains(":") ? "[\(boundHost)]:\(boundPort)" : "\(boundHost):\(boundPort)",
            port: boundPort,
            isPassed: passedSocket != nil,
            serverChannel: serverChannel,
            registry: registry,
            logger: logger,
            cleanup: {},
            admitted: admitted
        )
    }

    /// The setup of one accepted Unix socket connection: counted against the limits, the test
    /// hook, then the protocol handlers. `unixCredentials` reads the peer's credentials (from the
    /// kernel, but for `DetachedConnection`'s in-memory channel).
    static func acceptUnix(
        _ channel: any Channel,
        registry: ConnectionRegistry,
        limits: Reloadable<ConnectionLimits>,
        events: PeerEventLog,
        logger: Logger,
        setupHook: SetupHook?,
        unixCredentials: @escaping ServerFrameHandler.UnixCredentials = PeerCredentials.read,
        admit: @escaping ServerFrameHandler.Admission
    ) throws -> AcceptedConnection {
        try setUp(channel, events: events, logger: logger) {
            guard let limits = counted(channel, in: registry, limits: limits, events: events, logger: logger) else {
                return refused(channel)
            }
            try setupHook?(channel)
            return try accept(
                channel, isTLS: false, limits: limits, events: events, logger: logger, unixCredentials: unixCredentials, admit: admit)
        }
    }

    /// Counts a newly accepted connection toward `limits.max_connections` (and, by its remote
    /// address, `limits.max_connections_per_address`) from now on, through its handshake; nil when
    /// either is full. The connection is then closed at once: before a TLS handshake there is no
    /// way to say why, and doing the handshake would be the cost the limit is there to cap. The
    /// refusal is logged, a few a minute at most (`PeerEventLog`).
    private static func counted(
        _ channel: any Channel, in registry: ConnectionRegistry, limits: Reloadable<ConnectionLimits>, events: PeerEventLog,
        logger: Logger
    ) -> ConnectionLimits? {
        let limits = limits.current
        let address = channel.remoteAddress?.ipAddress
        switch registry.accept(channel, address: address, limit: limits.maxConnections, perAddress: limits.maxConnectionsPerAddress) {
        case .success:
            return limits
        case .failure(.listenerFull):
            events.note(
                .refusedAtAccept,
                "connection refused at accept: limit of \(limits.maxConnections) connections (served or in their handshake) reached",
                metadata: ["remote": "\(address ?? "local")"], logger: logger)
        case .failure(.addressFull):
            events.note(
                .refusedAtAccept,
                "connection refused at accept: limit of \(limits.maxConnectionsPerAddress) connections from one address reached",
                metadata: ["remote": "\(address ?? "local")"], logger: logger)
        }
        return nil
    }

    /// A connection refused at accept: closed, and never served.
    private static func refused(_ channel: any Channel) -> AcceptedConnection {
        channel.close(promise: nil)
        return AcceptedConnection(channel: channel, connection: channel.eventLoop.makeSucceededFuture(nil))
    }

    /// Runs the setup of one accepted connection. Whatever fails there (a socket option, a
    /// handler) costs that connection only: it is logged with the peer's address (a peer gone at
    /// once can cause it, so a few a minute at most) and closed, and the accept loop goes on. (A
    /// failed setup must not reach the server channel: an error there would end the accept loop,
    /// and with it the listener.)
    private static func setUp(
        _ channel: any Channel,
        events: PeerEventLog,
        logger: Logger,
        _ body: () throws -> AcceptedConnection
    ) throws -> AcceptedConnection {
        do {
            return try body()
        } catch {
            events.note(
                .refusedAtAccept, "dropped a new connection: its setup failed", level: .warning,
                metadata: ["remote": "\(channel.remoteAddress?.logDescription ?? "local")", "error": "\(error)"], logger: logger)
            channel.close(promise: nil)
            throw error
        }
    }

    /// Puts TLS with the client-certificate check in front of a new connection. The certificate
    /// is judged by the material current when it arrives (not when the connection was accepted);
    /// the verification runs as a task on the shared executor — bounded to a few signature checks
    /// by `ClientChainVerifier` — and is cancelled when the connection closes (handshake timeout,
    /// peer gone) so no search outlives its handshake.
    private static func secure(
        _ channel: any Channel,
        material: Reloadable<TLSMaterial>,
        limits: ConnectionLimits,
        events: PeerEventLog,
        logger: Logger,
        admit: @escaping ServerFrameHandler.Admission
    ) throws -> AcceptedConnection {
        let remote = channel.remoteAddress?.logDescription ?? "unknown"
        let tlsHandler = NIOSSLServerHandler(
            context: material.current.context,
            customVerificationCallbackWithMetadata: { certificates, promise in
                let verifier = material.current.verifier
                let verification = Task { () -> NIOSSLVerificationResultWithMetadata in
                    switch await verifier.verify(certificates) {
                    case .valid(let validated):
                        return .certificateVerified(VerificationMetadata(validated))
                    case .invalid(let reason):
                        events.handshakeFailed(
                            .certificateRefused, "TLS client refused", metadata: ["remote": "\(remote)", "reason": "\(reason)"],
                            logger: logger)
                        return .failed
                    }
                }
                channel.closeFuture.whenComplete { _ in verification.cancel() }
                promise.completeWithTask { await verification.value }
            })
        try channel.pipeline.syncOperations.addHandler(tlsHandler)
        return try accept(channel, isTLS: true, limits: limits, events: events, logger: logger, admit: admit)
    }

    /// Adds the frame decoder, the handshake timer and the frame handler to a new connection.
    static func accept(
        _ channel: any Channel,
        isTLS: Bool,
        limits: ConnectionLimits,
        events: PeerEventLog,
        logger: Logger,
        unixCredentials: @escaping ServerFrameHandler.UnixCredentials = PeerCredentials.read,
        admit: @escaping ServerFrameHandler.Admission
    ) throws -> AcceptedConnection {
        let remote = channel.remoteAddress?.logDescription ?? "local"
        let admitted = channel.eventLoop.makePromise(of: ServerConnection?.self)
        let operations = channel.pipeline.syncOperations
        try operations.addHandler(ByteToMessageHandler(FrameDecoder(maxFrameSize: limits.maxFrameSize)))
        // Every line about this connection (a refused handshake included) names its peer address.
        var connectionLogger = logger
        connectionLogger[metadataKey: "remote"] = "\(remote)"
        try operations.addHandler(
            HandshakeTimeoutHandler(timeout: TimeAmount(saturating: limits.handshakeTimeout), transportReady: !isTLS) {
                [connectionLogger] in
                events.handshakeFailed(.timeout, "closing connection: handshake and preface not complete in time", logger: connectionLogger)
            }
        )
        try operations.addHandler(
            ServerFrameHandler(
                isTLS: isTLS, admitted: admitted, events: events, logger: connectionLogger, unixCredentials: unixCredentials,
                admit: admit))
        return AcceptedConnection(channel: channel, connection: admitted.futureResult)
    }

    /// Decides, on the event loop, whether a proven peer is served: the Unix allow-list (asking
    /// the group database off the event loop when uid and gid do not decide), then the
    /// connection limit; for a TLS peer, the current material's CRLs once more (after it is
    /// registered, so that a reload either sees it in its sweep or has already replaced the
    /// material it is judged by) and whether its CA may name the facility. An admitted peer gets
    /// a `ServerConnection` registered here; a TLS one is closed when its certificate expires.
    static func admission(
        router: RPCRouter,
        limits: Reloadable<ConnectionLimits>,
        registry: ConnectionRegistry,
        policy: Reloadable<UnixPeerPolicy>?,
        material: Reloadable<TLSMaterial>?,
        events: PeerEventLog,
        logger: Logger
    ) -> ServerFrameHandler.Admission {
        { peer, channel in
            var peerLogger = logger
            peerLogger[metadataKey: "peer"] = "\(peer.logDescription)"
            let connectionLogger = peerLogger
            let allowed =
                if case .unix(let unixPeer) = peer, let policy = policy?.current {
                    unixRefusal(of: unixPeer, by: policy, on: channel.eventLoop)
                } else {
                    channel.eventLoop.makeSucceededFuture(String?.none)
                }
            return allowed.map { refusal -> Result<ServerConnection, ServerFrameHandler.Refusal> in
                if let refusal {
                    events.note(.refusedAtAdmission, "Unix socket peer refused: \(refusal)", level: .warning, logger: connectionLogger)
                    return .failure(.init(reason: .peerNotAllowed, message: "this user may not use the lifed socket"))
                }
                return serve(
                    peer, on: channel, router: router, limits: limits.current, registry: registry, material: material,
                    events: events, logger: connectionLogger)
            }
        }
    }

    /// Nil when `policy` admits the Unix peer, else why not. The group database is asked only when
    /// uid and primary gid do not decide, on the blocking pool (it may block, on NSS).
    private static func unixRefusal(of peer: UnixPeer, by policy: UnixPeerPolicy, on eventLoop: any EventLoop) -> EventLoopFuture<String?> {
        switch policy.verdict(for: peer) {
        case .admitted:
            eventLoop.makeSucceededFuture(nil)
        case .refused(let reason):
            eventLoop.makeSucceededFuture(reason)
        case .needsGroups:
            SupplementaryGroups.lookUp(uid: peer.uid, primary: peer.gid, on: eventLoop).map { policy.refusal(for: peer, groups: $0) }
        }
    }

    /// Admits a peer the allow-list let through: the TLS checks, the connection limit, the
    /// registry.
    private static func serve(
        _ peer: PeerIdentity,
        on channel: any Channel,
        router: RPCRouter,
        limits: ConnectionLimits,
        registry: ConnectionRegistry,
        material: Reloadable<TLSMaterial>?,
        events: PeerEventLog,
        logger connectionLogger: Logger
    ) -> Result<ServerConnection, ServerFrameHandler.Refusal> {
        var admitted = peer
        var path: [Certificate] = []
        if case .tls(let tlsPeer) = peer, let material {
            path = validatedPath(of: channel)
            guard let anchor = path.last else {
                events.note(
                    .refusedAtAdmission, "TLS peer refused: no validated certificate path", level: .warning, logger: connectionLogger)
                return .failure(.init(reason: .certificateRevoked, message: "the client certificate was not validated"))
            }
            admitted = .tls(
                tlsPeer.admitted(
                    facilityAttributeTrusted: material.current.verifier.trustsFacilityAttribute(anchoredAt: anchor),
                    validatedIntermediates: path.dropFirst().dropLast().compactMap { try? CertificateFacts($0).derEncoded }))
        }
        let connection = ServerConnection(
            channel: channel, peer: admitted, router: router, limits: limits, events: events, logger: connectionLogger)
        guard registry.admit(connection, from: channel, limit: limits.maxConnections) else {
            events.note(
                .refusedAtAdmission, "connection refused: limit of \(limits.maxConnections) connections reached", level: .warning,
                logger: connectionLogger)
            return .failure(.init(reason: .tooManyConnections, message: "server has too many connections; retry later"))
        }
        // The slot is given back when the channel closes, whoever closes it and however early:
        // a peer gone before its connection was handed to `serve` never reaches that task.
        channel.closeFuture.whenComplete { _ in registry.remove(connection) }
        if let material, let refusal = path.dropLast().lazy.compactMap({ material.current.verifier.refusal(of: $0) }).first {
            registry.remove(connection)
            events.note(.refusedAtAdmission, "TLS peer refused at admission: \(refusal)", logger: connectionLogger)
            return .failure(.init(reason: .certificateRevoked, message: "the client certificate is no longer accepted"))
        }
        if let notAfter = path.map(\.notValidAfter).min() {
            closeOnExpiry(connection, channel: channel, at: notAfter)
        }
        connectionLogger.debug("connection open")
        return .success(connection)
    }

    /// The path the handshake validated (leaf first, anchor last), as `ClientCertificateVerifier`
    /// left it in the TLS handler; empty when there is none.
    private static func validatedPath(of channel: any Channel) -> [Certificate] {
        guard let validated = try? channel.pipeline.syncOperations.nioSSL_peerValidatedCertificateChain() else { return [] }
        return validated.compactMap { try? Certificate(derEncoded: $0.toDERBytes()) }
    }

    /// Ends `connection` (GOAWAY CERTIFICATE_REVOKED: the certificate is no longer accepted, PROTOCOL
    /// §12.1) when the first certificate of its path expires: validity was checked at the handshake
    /// only.
    private static func closeOnExpiry(_ connection: ServerConnection, channel: any Channel, at notAfter: Date) {
        let delay = TimeAmount(saturating: .seconds(max(0, notAfter.timeIntervalSinceNow)))
        let expiry = channel.eventLoop.scheduleTask(in: delay) {
            connection.terminate(reason: .certificateRevoked, message: "the client certificate has expired")
        }
        channel.closeFuture.whenComplete { _ in expiry.cancel() }
    }

    /// Serves a listening socket systemd passed. NIO calls listen(2) on it again with its own
    /// default backlog; the listener's backlog is put back right after (connections already queued
    /// stay queued either way).
    private static func adopt(
        _ descriptor: CInt,
        bootstrap: ServerBootstrap,
        _ initializer: @escaping @Sendable (any Channel) -> EventLoopFuture<AcceptedConnection>
    ) async throws -> ServerChannel {
        let serverChannel: ServerChannel = try await bootstrap.bind(descriptor, childChannelInitializer: initializer)
        _ = listen(descriptor, acceptBacklog)
        return serverChannel
    }

    private static func refuseIfServed(path: String, group: any EventLoopGroup) async throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        let probe = try? await ClientBootstrap(group: group).connect(unixDomainSocketPath: path).get()
        guard let probe else { return }
        try? await probe.close()
        throw ListenerError(description: "another process is already serving on \(path)")
    }

    /// Logs what the material refuses although it loaded (a CRL past its nextUpdate, say).
    private static func logWarnings(of material: TLSMaterial, logger: Logger) {
        for warning in material.warnings {
            logger.error("TLS material: \(warning)")
        }
    }

    /// Connections the kernel may queue before they are accepted: a burst of local connections
    /// (monitoring, lifectl) is queued rather than refused (the kernel caps it at somaxconn).
    static let acceptBacklog: Int32 = 4096

    // MARK: - Serving

    public func run() async throws {
        logger.info(
            "listening",
            metadata: ["listener": "\(name)", "address": "\(address)", "socket": "\(isPassed ? "passed by systemd" : "bound by lifed")"])
        defer { cleanup() }
        try await serverChannel.executeThenClose { inbound in
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask {
                    try await gracefulShutdown()
                    await self.drain()
                }
                for try await accepted in inbound {
                    group.addTask { await Self.serve(accepted, registry: self.registry, admitted: self.admitted) }
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

    /// Ends, at once and with GOAWAY CERTIFICATE_REVOKED, every connection `material` no longer
    /// accepts (see `dropConnections(refusedBy:at:)`); returns how many. A reload calls it right
    /// after putting `material` in force, so a newly revoked certificate does not keep the
    /// connection it already had, and the new material's warnings (a CRL that is not current)
    /// reach the log as the reload's report.
    public func dropConnections(revokedBy material: TLSMaterial) -> Int {
        Self.logWarnings(of: material, logger: logger)
        return dropConnections(refusedBy: material, at: .now)
    }

    /// Ends, at once and with GOAWAY CERTIFICATE_REVOKED, every connection whose validated path
    /// `material` no longer accepts at `now`: a certificate of it revoked, or the CRL of a CA of it
    /// not current (past nextUpdate + `tls.crl_grace_period`, enforced) — what a new handshake
    /// would be refused for. Returns how many.
    public func dropConnections(refusedBy material: TLSMaterial, at now: Date) -> Int {
        var ended = 0
        for connection in registry.connections(where: { _ in true }) {
            var withdrawal: ClientCertificateVerifier.Withdrawal?
            _ = connection.peerMatches { peer in
                withdrawal = material.withdrawal(of: peer, at: now)
                return withdrawal != nil
            }
            guard let withdrawal else { continue }
            let message =
                switch withdrawal {
                case .revoked: "the client certificate has been revoked"
                case .crlNotCurrent: "the CRL of the client certificate's CA is not current"
                }
            connection.terminate(reason: .certificateRevoked, message: message)
            ended += 1
        }
        return ended
    }

    /// Ends, at once and with GOAWAY CERTIFICATE_REVOKED, every connection presenting the
    /// certificate with SHA-256 `fingerprint` (lower-case hex): its registration was revoked, and
    /// with it what the connection had been allowed. Returns how many.
    public func dropConnections(presenting fingerprint: String) -> Int {
        let presenting = registry.connections { peer in
            guard case .tls(let tlsPeer) = peer else { return false }
            return tlsPeer.fingerprint == fingerprint
        }
        for connection in presenting {
            connection.terminate(reason: .certificateRevoked, message: "the client certificate's registration has been revoked")
        }
        return presenting.count
    }

    /// Serves one admitted connection until it closes; a cancelled task (the grace period is
    /// over) closes it. `admitted` hears a TLS peer once it is served.
    static func serve(
        _ accepted: AcceptedConnection, registry: ConnectionRegistry, admitted: @escaping @Sendable (TLSPeer) async -> Void
    ) async {
        guard let connection = try? await accepted.connection.get() else { return }
        defer { registry.remove(connection) }
        if case .tls(let peer) = connection.peer { Task { [admitted] in await admitted(peer) } }
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
