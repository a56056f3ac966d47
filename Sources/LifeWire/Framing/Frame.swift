import NIOCore

/// One LRPC v1 frame: a 10-byte header (length, type, flags, call id) and a payload.
public struct Frame: Sendable, Hashable {
    /// Bytes in the header: length (4), type (1), flags (1), call id (4), all big-endian.
    public static let headerLength = 10

    public var type: FrameType
    public var flags: FrameFlags
    /// The call the frame belongs to; 0 for connection-level frames.
    public var callID: UInt32
    public var payload: ByteBuffer

    public init(type: FrameType, flags: FrameFlags = [], callID: UInt32, payload: ByteBuffer = ByteBuffer()) {
        self.type = type
        self.flags = flags
        self.callID = callID
        self.payload = payload
    }

    /// Appends the frame's wire bytes to `buffer`.
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt32(payload.readableBytes))
        buffer.writeInteger(type.rawValue)
        buffer.writeInteger(flags.rawValue)
        buffer.writeInteger(callID)
        var payload = payload
        buffer.writeBuffer(&payload)
    }

    /// Appends a frame whose payload is `payload`, without building a `Frame` first.
    public static func write(
        type: FrameType,
        flags: FrameFlags = [],
        callID: UInt32,
        payload: some Collection<UInt8>,
        to buffer: inout ByteBuffer
    ) {
        buffer.writeInteger(UInt32(payload.count))
        buffer.writeInteger(type.rawValue)
        buffer.writeInteger(flags.rawValue)
        buffer.writeInteger(callID)
        buffer.writeBytes(payload)
    }
}
