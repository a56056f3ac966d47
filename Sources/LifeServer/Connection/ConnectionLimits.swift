/// Per-connection limits of a listener. Every limit is answered with a clear error, never a
/// crash: a too-large frame ends the connection with GOAWAY FRAME_TOO_LARGE, a call over the
/// concurrency limit or with a too-large header gets RESOURCE_EXHAUSTED, the rest end the
/// connection with a GOAWAY naming the reason.
public struct ConnectionLimits: Sendable, Hashable {
    /// Largest frame payload accepted, in bytes; checked from the frame header before reading.
    public var maxFrameSize: UInt32 = 4 * 1024 * 1024
    /// Calls open at once on one connection.
    public var maxConcurrentCalls: Int = 128
    /// Largest encoded call header (method, timeout, metadata), in bytes.
    public var maxHeaderSize: Int = 16 * 1024
    /// Connections open at once on one listener.
    public var maxConnections: Int = 4096
    /// TLS handshake plus the client's preface must complete within this.
    public var handshakeTimeout: Duration = .seconds(10)
    /// A connection without open calls is closed after this; zero disables.
    public var idleTimeout: Duration = .seconds(300)
    /// A connection that sent nothing for this long is pinged; zero disables keepalive.
    public var keepaliveInterval: Duration = .seconds(60)
    /// A ping not answered within this ends the connection.
    public var keepaliveTimeout: Duration = .seconds(20)

    public init() {}
}
