/// A violation of LRPC v1 detected on a connection. Each ends the connection with a GOAWAY
/// whose reason and message the server derives from it (`goAwayReason`, `description`).
public enum WireError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The first bytes were not the LRPC magic.
    case badPreface
    /// The magic was right but the version is not one this side speaks.
    case unsupportedVersion(UInt16)
    /// A frame header announced more payload than the limit; rejected before reading it.
    case frameTooLarge(length: UInt32, limit: UInt32)
    /// A frame type byte this version does not define.
    case unknownFrameType(UInt8)
    /// A frame of a known type broke that type's rules (wrong call id, wrong payload length).
    case malformedFrame(FrameType, String)
    /// The peer closed the stream in the middle of a frame or the preface.
    case truncated(bufferedBytes: Int)
    /// A frame that is valid alone but not at this point of the conversation.
    case protocolViolation(String)

    public var description: String {
        switch self {
        case .badPreface:
            "connection preface is not LRPC (expected the bytes \"LRPC\\r\\n\" and a version)"
        case .unsupportedVersion(let version):
            "LRPC version \(version) is not supported (this server speaks version \(Preface.version))"
        case .frameTooLarge(let length, let limit):
            "frame payload of \(length) bytes exceeds the limit of \(limit) bytes"
        case .unknownFrameType(let type):
            "unknown frame type 0x\(type < 0x10 ? "0" : "")\(String(type, radix: 16))"
        case .malformedFrame(let type, let why):
            "malformed \(type) frame: \(why)"
        case .truncated(let bytes):
            "stream ended in the middle of a frame (\(bytes) bytes buffered)"
        case .protocolViolation(let why):
            "protocol violation: \(why)"
        }
    }
}
