import LifeProto
import NIOCore
import SwiftProtobuf

extension Frame {
    /// Appends a MESSAGE frame.
    public static func writeMessage(callID: UInt32, bytes: [UInt8], flags: FrameFlags = [], to buffer: inout ByteBuffer) {
        write(type: .message, flags: flags, callID: callID, payload: bytes, to: &buffer)
    }

    /// Appends a TRAILER frame: OK when `error` is nil.
    public static func writeTrailer(callID: UInt32, error: RPCError?, to buffer: inout ByteBuffer) {
        let payload: [UInt8] = (try? error?.callStatus.serializedBytes()) ?? []
        write(type: .trailer, callID: callID, payload: payload, to: &buffer)
    }

    /// Appends a HEADERS frame.
    public static func writeHeaders(callID: UInt32, header: Life_V1_CallHeader, to buffer: inout ByteBuffer) throws {
        let payload: [UInt8] = try header.serializedBytes()
        write(type: .headers, callID: callID, payload: payload, to: &buffer)
    }

    /// Appends a GOAWAY frame.
    public static func writeGoAway(
        lastCallID: UInt32,
        reason: Life_V1_GoAwayReason,
        message: String,
        to buffer: inout ByteBuffer
    ) {
        var goAway = Life_V1_GoAway()
        goAway.lastCallID = lastCallID
        goAway.reason = reason
        goAway.message = message
        let payload: [UInt8] = (try? goAway.serializedBytes()) ?? []
        write(type: .goAway, callID: 0, payload: payload, to: &buffer)
    }

    /// Appends a SETTINGS frame.
    public static func writeSettings(_ settings: Life_V1_Settings, to buffer: inout ByteBuffer) {
        let payload: [UInt8] = (try? settings.serializedBytes()) ?? []
        write(type: .settings, callID: 0, payload: payload, to: &buffer)
    }

    /// Appends a PING frame (or its ACK) with 8 payload bytes.
    public static func writePing(payload: UInt64, ack: Bool, to buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt32(8))
        buffer.writeInteger(FrameType.ping.rawValue)
        buffer.writeInteger(ack ? FrameFlags.ack.rawValue : 0)
        buffer.writeInteger(UInt32(0))
        buffer.writeInteger(payload)
    }

    /// Appends the ACK that answers `ping`, echoing its 8 payload bytes.
    public static func writePingAck(answering ping: Frame, to buffer: inout ByteBuffer) {
        var payload = ping.payload
        writePing(payload: payload.readInteger(as: UInt64.self) ?? 0, ack: true, to: &buffer)
    }

    /// Decodes the payload as a protobuf message; a payload that does not parse is a malformed frame.
    public func decodePayload<M: SwiftProtobuf.Message>(as type: M.Type) throws -> M {
        do {
            return try M(serializedBytes: Array(payload.readableBytesView))
        } catch {
            throw WireError.malformedFrame(self.type, "payload is not a valid \(M.protoMessageName)")
        }
    }

    /// The payload as bytes.
    public var payloadBytes: [UInt8] {
        Array(payload.readableBytesView)
    }
}
