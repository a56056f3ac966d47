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
    /// Connections open at once from one remote IP address on the TLS listener (counted from
    /// accept, like `maxConnections`), so one host cannot take every slot.
    public var maxConnectionsPerAddress: Int = 512
    /// TLS handshake plus the client's preface must complete within this.
    public var handshakeTimeout: Duration = .seconds(10)
    /// A connection without open calls is closed after this; zero disables.
    public var idleTimeout: Duration = .seconds(300)
    /// A connection that sent nothing for this long is pinged; zero disables keepalive.
    public var keepaliveInterval: Duration = .seconds(60)
    /// A ping not answered within this ends the connection.
    public var keepaliveTimeout: Duration = .seconds(20)
    /// The longest the server waits for a peer to take bytes: a stream message that cannot be
    /// handed to the socket within this ends its call with RESOURCE_EXHAUSTED, a closing
    /// connection waits at most this long for its last frames to leave, and a connection that took
    /// nothing for twice this long is closed. Always positive: an unbounded wait is what it bounds.
    public var slowConsumerTimeout: Duration = .seconds(30)
    /// A call whose HEADERS came without a deadline must send its request MESSAGE within this,
    /// else it is answered DEADLINE_EXCEEDED and its slot freed; with a deadline, the deadline
    /// (whichever is shorter) applies.
    public var requestTimeout: Duration = .seconds(30)
    /// Bytes queued for the socket above which the connection counts as not writable: stream
    /// writers wait and nothing more is read from the peer until the queue falls below
    /// `writeBufferLowWaterMark`. Not configurable; set on every accepted connection.
    public var writeBufferHighWaterMark = 64 * 1024
    /// Bytes queued for the socket below which a connection is writable again.
    public var writeBufferLowWaterMark = 32 * 1024

    public init() {}
}
