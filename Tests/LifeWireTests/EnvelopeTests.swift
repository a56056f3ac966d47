import LifeProto
import NIOCore
import Testing

@testable import LifeWire

@Suite("Envelope messages")
struct EnvelopeTests {
    @Test("RPCError survives a trailer round trip with its details")
    func errorRoundTrip() throws {
        let error = RPCError(
            .invalidArgument,
            "insurer number is invalid",
            reason: "FIELD_INVALID",
            fieldViolations: [.init(field: "recipient.insurer_number", reason: "CHECK_DIGIT_MISMATCH", description: "check digit")],
            retryAfterMilliseconds: 1500
        )
        var buffer = ByteBuffer()
        Frame.writeTrailer(callID: 3, error: error, to: &buffer)
        let frame = try #require(try FrameDecoder.readFrame(from: &buffer, maxFrameSize: 1 << 20))
        let status = try frame.decodePayload(as: Life_V1_CallStatus.self)
        #expect(RPCError(status: status) == error)
    }

    @Test("an OK trailer has an empty payload and decodes to no error")
    func okTrailer() throws {
        var buffer = ByteBuffer()
        Frame.writeTrailer(callID: 1, error: nil, to: &buffer)
        let frame = try #require(try FrameDecoder.readFrame(from: &buffer, maxFrameSize: 1 << 20))
        #expect(frame.payload.readableBytes == 0)
        #expect(RPCError(status: try frame.decodePayload(as: Life_V1_CallStatus.self)) == nil)
    }

    @Test("every gRPC status code maps to the proto enum and back", arguments: RPCError.Code.allCases)
    func codes(code: RPCError.Code) {
        #expect(Life_V1_StatusCode(rawValue: code.rawValue) != nil)
        #expect(Life_V1_StatusCode(rawValue: code.rawValue)?.rawValue == code.rawValue)
    }

    @Test("a payload that is not the expected message is a malformed frame")
    func malformedPayload() {
        let frame = Frame(type: .headers, callID: 1, payload: ByteBuffer(bytes: [0xFF, 0xFF, 0xFF]))
        #expect(throws: WireError.self) { _ = try frame.decodePayload(as: Life_V1_CallHeader.self) }
    }

    @Test("deadlines travel as remaining milliseconds, rounded up")
    func deadlines() {
        let now = ContinuousClock.now
        #expect(Deadline.never.remainingMilliseconds(now: now) == nil)
        #expect(Deadline(now + .microseconds(1500)).remainingMilliseconds(now: now) == 2)
        #expect(Deadline(now - .seconds(1)).remainingMilliseconds(now: now) == 1)
    }
}
