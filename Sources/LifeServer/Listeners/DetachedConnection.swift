import LifeWire
import Logging
import NIOCore

/// One Unix socket connection served on a channel the caller made, through the very steps
/// `Listener.bindUnix` takes for a socket it accepted: counted against the limits, the frame
/// decoder, handshake timer and frame handler, admission into a registry, and serving until the
/// channel closes. It exists so Fuzz/ (FuzzConnection) can drive the server's connection state
/// machine over an in-memory channel, where there is no socket to accept and no kernel to ask for
/// the peer's credentials: `credentials` stand for them, every peer is allowed, and the registry
/// is this connection's alone, so its counts show whether the connection gave its slots back.
public struct DetachedConnection: Sendable {
    private let accepted: AcceptedConnection
    private let registry: ConnectionRegistry

    /// Installs the server's handlers on `channel`, which must not be active yet (the real
    /// listener's setup runs before the socket is, so activating it afterwards starts the
    /// connection the same way). Call on the channel's event loop.
    public init(channel: any Channel, credentials: UnixPeer, router: RPCRouter, limits: ConnectionLimits, logger: Logger) throws {
        let registry = ConnectionRegistry()
        let events = PeerEventLog(logger: logger, listener: "detached")
        let limits = Reloadable(limits)
        let admit = Listener.admission(
            router: router, limits: limits, registry: registry, policy: nil, material: nil, events: events, logger: logger)
        self.accepted = try Listener.acceptUnix(
            channel, registry: registry, limits: limits, events: events, logger: logger, setupHook: nil,
            unixCredentials: { channel in channel.eventLoop.makeSucceededFuture(credentials) }, admit: admit)
        self.registry = registry
    }

    /// Serves the connection until its channel closes, as the listener's accept loop does for each
    /// connection, then stops its calls and gives its slot back.
    public func run() async {
        await Listener.serve(accepted, registry: registry, admitted: { _ in })
    }

    /// Sends GOAWAY(SHUTDOWN), as a listener's drain does: calls opened so far complete, later ones
    /// are refused, and the connection closes after the last.
    public func drain() {
        registry.drainAll()
    }

    /// Whether the connection was admitted and served; nil until that is decided.
    public var isServed: EventLoopFuture<Bool> {
        accepted.connection.map { $0 != nil }
    }

    /// Connections served (0 or 1).
    public var connectionCount: Int { registry.count }
    /// Connections accepted but not yet served (0 or 1).
    public var handshakingCount: Int { registry.handshakingCount }
    /// Calls open on the connection.
    public var openCalls: Int { registry.openCalls }
}
