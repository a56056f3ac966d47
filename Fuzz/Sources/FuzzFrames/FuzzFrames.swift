import FuzzDriver
import LifeWire
import NIOCore
import NIOEmbedded

// The frame decoder (Sources/LifeWire/Framing), as the server's pipeline runs it: a
// `ByteToMessageHandler` on a channel, ended by the peer's close (`decodeLast`).
//
// Input: byte 0 is control — bits 0-5 plus one give the size of the pieces the stream arrives in,
// bit 6 puts a valid preface in front so the fuzzer reaches frames at once; the rest is the
// stream. Checked on every input, besides "no crash": the stream decodes to the same frames and
// the same error whole and in pieces, and the frames written back give the bytes they came from.

@_cdecl("FuzzFrames_main")
func fuzzFramesMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc: argc, argv: argv, testOneInput)
}

/// Small, so that the limit is reached often.
private let maxFrameSize: UInt32 = 512

/// libFuzzer's entry point (its runtime refers to it by this name).
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzDriver.bytes(data, size)
    guard let control = input.first else { return 0 }
    let stream = (control & 0x40 != 0 ? Preface.bytes : []) + Array(input.dropFirst())
    let whole = Outcome(decoding: stream, inPiecesOf: max(stream.count, 1))
    let pieces = Outcome(decoding: stream, inPiecesOf: 1 + Int(control & 0x3F))
    guard whole == pieces else {
        fatalError("decoded differently in pieces of \(1 + Int(control & 0x3F)) bytes:\n\(whole)\n\(pieces)")
    }
    guard whole.prefaceRead || whole.frames.isEmpty else { fatalError("frames without a preface") }
    var written = ByteBuffer()
    for frame in whole.frames {
        guard frame.payload.readableBytes <= maxFrameSize else { fatalError("a frame over the limit: \(frame)") }
        frame.write(to: &written)
    }
    if whole.prefaceRead, !stream.dropFirst(Preface.length).starts(with: written.readableBytesView) {
        fatalError("frames written back differ from the bytes they were decoded from")
    }
    return 0
}

/// What a decoder made of a stream: the preface seen or not, the frames, the error that ended it.
private struct Outcome: Equatable, CustomStringConvertible {
    var prefaceRead = false
    var frames: [Frame] = []
    var error: String?

    init(decoding stream: [UInt8], inPiecesOf pieceSize: Int) {
        let channel = EmbeddedChannel()
        let recorder = PrefaceRecorder()
        do {
            try channel.pipeline.syncOperations.addHandlers([
                ByteToMessageHandler(FrameDecoder(maxFrameSize: maxFrameSize)), recorder,
            ])
            var start = stream.startIndex
            while start < stream.endIndex {
                let end = min(start + pieceSize, stream.endIndex)
                try channel.writeInbound(ByteBuffer(bytes: stream[start..<end]))
                start = end
            }
            _ = try channel.finish(acceptAlreadyClosed: true)
        } catch let error as WireError {
            self.error = "\(error)"
        } catch {
            fatalError("the decoder threw something other than a WireError: \(error)")
        }
        _ = try? channel.finish(acceptAlreadyClosed: true)
        while let frame = try? channel.readInbound(as: Frame.self) {
            frames.append(frame)
        }
        prefaceRead = recorder.prefaces == 1
        guard recorder.prefaces <= 1 else { fatalError("the preface was reported \(recorder.prefaces) times") }
    }

    var description: String {
        "preface: \(prefaceRead), frames: \(frames.map { "\($0.type) \($0.callID) \($0.payload.readableBytes)" }), error: \(error ?? "none")"
    }
}

/// Counts the decoder's `PrefaceReceived` events.
private final class PrefaceRecorder: ChannelInboundHandler {
    typealias InboundIn = Frame
    typealias InboundOut = Frame
    var prefaces = 0

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is FrameDecoder.PrefaceReceived { prefaces += 1 }
        context.fireUserInboundEventTriggered(event)
    }
}
