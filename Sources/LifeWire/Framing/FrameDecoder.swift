import NIOCore

/// Splits a byte stream into frames: first the peer's preface, then frames.
///
/// The length in a frame header is checked against `maxFrameSize` as soon as the 10 header bytes
/// are in, before any payload is awaited, so a peer cannot make this side reserve memory for a
/// frame it announces: the buffer only ever holds bytes that actually arrived, at most one
/// header plus `maxFrameSize`. Structural rules of each frame type are checked here too; rules
/// that need the connection's state (call ids in order, …) are the connection's.
public struct FrameDecoder: ByteToMessageDecoder, Sendable {
    public typealias InboundOut = Frame

    /// Fired as a user inbound event once the peer's preface has been read.
    public struct PrefaceReceived: Sendable, Hashable {
        public init() {}
    }

    private var prefaceRead = false
    public let maxFrameSize: UInt32

    public init(maxFrameSize: UInt32) {
        self.maxFrameSize = maxFrameSize
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if !prefaceRead {
            guard try Self.readPreface(from: &buffer) else { return .needMoreData }
            prefaceRead = true
            context.fireUserInboundEventTriggered(PrefaceReceived())
            return .continue
        }
        guard let frame = try Self.readFrame(from: &buffer, maxFrameSize: maxFrameSize) else {
            return .needMoreData
        }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    public mutating func decodeLast(
        context: ChannelHandlerContext,
        buffer: inout ByteBuffer,
        seenEOF: Bool
    ) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        if buffer.readableBytes > 0 {
            let left = buffer.readableBytes
            buffer.moveReaderIndex(forwardBy: left)
            throw WireError.truncated(bufferedBytes: left)
        }
        return .needMoreData
    }

    /// Consumes the preface if all 8 bytes are there. Wrong magic fails as soon as the bytes that
    /// did arrive differ, so a peer speaking another protocol gets its answer without a wait.
    static func readPreface(from buffer: inout ByteBuffer) throws -> Bool {
        let available = buffer.readableBytesView.prefix(Preface.magic.count)
        guard available.elementsEqual(Preface.magic.prefix(available.count)) else {
            throw WireError.badPreface
        }
        guard buffer.readableBytes >= Preface.length else { return false }
        buffer.moveReaderIndex(forwardBy: Preface.magic.count)
        let version = buffer.readInteger(as: UInt16.self)!
        guard version == Preface.version else { throw WireError.unsupportedVersion(version) }
        return true
    }

    /// Reads one frame if it is complete; throws on a frame that breaks the rules.
    public static func readFrame(from buffer: inout ByteBuffer, maxFrameSize: UInt32) throws -> Frame? {
        guard
            let (length, typeByte, flagsByte, callID) = buffer.getMultipleIntegers(
                at: buffer.readerIndex,
                as: (UInt32, UInt8, UInt8, UInt32).self
            )
        else { return nil }
        guard length <= maxFrameSize else { throw WireError.frameTooLarge(length: length, limit: maxFrameSize) }
        guard let type = FrameType(rawValue: typeByte) else { throw WireError.unknownFrameType(typeByte) }
        try validate(type: type, callID: callID, length: length)
        guard buffer.readableBytes >= Frame.headerLength + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: Frame.headerLength)
        let payload = buffer.readSlice(length: Int(length))!
        return Frame(type: type, flags: FrameFlags(rawValue: flagsByte), callID: callID, payload: payload)
    }

    private static func validate(type: FrameType, callID: UInt32, length: UInt32) throws {
        if type.isConnectionLevel, callID != 0 {
            throw WireError.malformedFrame(type, "call id must be 0, got \(callID)")
        }
        if !type.isConnectionLevel, callID == 0 {
            throw WireError.malformedFrame(type, "call id must not be 0")
        }
        if type == .ping, length != 8 {
            throw WireError.malformedFrame(type, "payload must be 8 bytes, got \(length)")
        }
        if type == .cancel, length != 0 {
            throw WireError.malformedFrame(type, "payload must be empty, got \(length) bytes")
        }
    }
}
