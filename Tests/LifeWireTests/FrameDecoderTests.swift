import LifeProto
import NIOCore
import NIOEmbedded
import Testing

@testable import LifeWire

@Suite("Frame decoding")
struct FrameDecoderTests {
    private func decode(_ bytes: [UInt8], maxFrameSize: UInt32 = 1024) throws -> (frames: [Frame], left: Int) {
        var buffer = ByteBuffer(bytes: bytes)
        var frames: [Frame] = []
        while let frame = try FrameDecoder.readFrame(from: &buffer, maxFrameSize: maxFrameSize) {
            frames.append(frame)
        }
        return (frames, buffer.readableBytes)
    }

    private func encoded(_ frame: Frame) -> [UInt8] {
        var buffer = ByteBuffer()
        frame.write(to: &buffer)
        return Array(buffer.readableBytesView)
    }

    @Test("every frame type round-trips", arguments: FrameType.allCases)
    func roundTrip(type: FrameType) throws {
        let callID: UInt32 = type.isConnectionLevel ? 0 : 7
        let payload: [UInt8] =
            switch type {
            case .ping: [1, 2, 3, 4, 5, 6, 7, 8]
            case .cancel: []
            default: Array("payload of \(type)".utf8)
            }
        let flags: FrameFlags = type == .message ? .endStream : []
        let frame = Frame(type: type, flags: flags, callID: callID, payload: ByteBuffer(bytes: payload))
        let (frames, left) = try decode(encoded(frame))
        #expect(frames == [frame])
        #expect(left == 0)
    }

    @Test("the header layout is length, type, flags, call id, big-endian")
    func headerLayout() {
        let bytes = encoded(Frame(type: .message, flags: .endStream, callID: 0x0102_0304, payload: ByteBuffer(bytes: [0xAA, 0xBB])))
        #expect(bytes == [0, 0, 0, 2, 0x03, 0x01, 0x01, 0x02, 0x03, 0x04, 0xAA, 0xBB])
    }

    @Test("a frame split at every byte boundary waits for the rest")
    func partialFrames() throws {
        let bytes = encoded(Frame(type: .headers, callID: 1, payload: ByteBuffer(bytes: Array(repeating: 9, count: 40))))
        for cut in 0..<bytes.count {
            let (frames, left) = try decode(Array(bytes[..<cut]))
            #expect(frames.isEmpty)
            #expect(left == cut)
        }
    }

    @Test("an oversized length is rejected from the header alone, before any payload arrives")
    func oversizedRejectedBeforeAllocating() {
        let header: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]
        #expect(throws: WireError.frameTooLarge(length: 0xFFFF_FFFF, limit: 1024)) {
            _ = try decode(header)
        }
    }

    @Test("a frame of exactly the limit is accepted")
    func limitIsInclusive() throws {
        let bytes = encoded(Frame(type: .message, callID: 1, payload: ByteBuffer(bytes: Array(repeating: 1, count: 1024))))
        #expect(try decode(bytes).frames.count == 1)
    }

    @Test("an unknown frame type is an error")
    func unknownType() {
        #expect(throws: WireError.unknownFrameType(0x42)) {
            _ = try decode([0, 0, 0, 0, 0x42, 0, 0, 0, 0, 1])
        }
        // PROTOCOL §15.1: two lower-case hex digits.
        #expect(WireError.unknownFrameType(0x08).description == "unknown frame type 0x08")
        #expect(WireError.unknownFrameType(0xAB).description == "unknown frame type 0xab")
    }

    @Test("structural rules: call ids and fixed payload sizes")
    func structuralRules() {
        #expect(throws: WireError.self) { _ = try decode([0, 0, 0, 0, 0x02, 0, 0, 0, 0, 0]) }  // HEADERS on call 0
        #expect(throws: WireError.self) { _ = try decode([0, 0, 0, 8, 0x06, 0, 0, 0, 0, 5] + Array(repeating: 0, count: 8)) }  // PING on a call
        #expect(throws: WireError.self) { _ = try decode([0, 0, 0, 2, 0x06, 0, 0, 0, 0, 0, 1, 2]) }  // short PING
        #expect(throws: WireError.self) { _ = try decode([0, 0, 0, 1, 0x05, 0, 0, 0, 0, 3, 9]) }  // CANCEL with payload
    }

    @Test("the preface is checked byte by byte, so a wrong protocol fails at once")
    func preface() throws {
        var good = ByteBuffer(bytes: Preface.bytes)
        #expect(try FrameDecoder.readPreface(from: &good))
        var partial = ByteBuffer(bytes: Array(Preface.bytes.prefix(3)))
        #expect(try FrameDecoder.readPreface(from: &partial) == false)
        var http = ByteBuffer(string: "GET / HTTP/1.1\r\n")
        #expect(throws: WireError.badPreface) { try FrameDecoder.readPreface(from: &http) }
        var oneByte = ByteBuffer(bytes: [0x16])  // a TLS ClientHello on the plain socket
        #expect(throws: WireError.badPreface) { try FrameDecoder.readPreface(from: &oneByte) }
        var future = ByteBuffer(bytes: Preface.magic + [0x00, 0x02])
        #expect(throws: WireError.unsupportedVersion(2)) { try FrameDecoder.readPreface(from: &future) }
    }

    @Test("the channel decoder reports a stream that stops mid-frame")
    func truncatedAtEOF() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder(maxFrameSize: 1024)))
        var bytes = ByteBuffer(bytes: Preface.bytes)
        bytes.writeBytes([0, 0, 0, 100, 0x03, 0, 0, 0, 0, 1, 1, 2, 3])
        try channel.writeInbound(bytes)
        #expect(throws: WireError.truncated(bufferedBytes: 13)) {
            _ = try channel.finish()
        }
    }

    @Test("the channel decoder emits frames after the preface")
    func channelDecoding() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder(maxFrameSize: 1024)))
        var bytes = ByteBuffer(bytes: Preface.bytes)
        Frame.writePing(payload: 42, ack: false, to: &bytes)
        try channel.writeInbound(bytes)
        let frame = try #require(try channel.readInbound(as: Frame.self))
        #expect(frame.type == .ping)
        #expect(try channel.finish().isClean)
    }
}
