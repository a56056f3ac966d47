/// The flag bits of a frame header. Bits a frame type does not define must be zero when sent
/// and are ignored when received.
public struct FrameFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// On MESSAGE: the sender sends no more messages on this call.
    public static let endStream = FrameFlags(rawValue: 0x01)
    /// On PING: this frame answers a ping and echoes its payload.
    public static let ack = FrameFlags(rawValue: 0x01)
}
