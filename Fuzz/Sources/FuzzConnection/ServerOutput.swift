import LifeProto
import LifeServer
import LifeWire
import NIOCore

/// What the server wrote, decoded with the server's own frame decoder as it arrives, and checked
/// frame by frame against the rules a client relies on. A violation stops the run (`fatalError`,
/// which libFuzzer reports as a crash with the input).
struct ServerOutput {
    private var pending = ByteBuffer()
    private var prefaceRead = false
    private var settingsRead = false
    /// A GOAWAY other than SHUTDOWN: the connection ended; nothing may follow it.
    private(set) var ended = false
    /// The last call id of the GOAWAY(SHUTDOWN), if one came.
    private(set) var drainLastCallID: UInt32?
    private(set) var trailers: [UInt32: Int] = [:]
    private let maxFrameSize: UInt32

    init(maxFrameSize: UInt32) {
        self.maxFrameSize = maxFrameSize
    }

    /// Takes bytes the server wrote. `opened`: the call ids the client sent HEADERS for.
    mutating func append(_ bytes: ByteBuffer, opened: Set<UInt32>) {
        var bytes = bytes
        pending.writeBuffer(&bytes)
        if !prefaceRead {
            guard pending.readableBytes >= Preface.length else { return }
            guard pending.readBytes(length: Preface.length) == Preface.bytes else {
                fatalError("the server's output does not start with its preface")
            }
            prefaceRead = true
        }
        while true {
            let frame: Frame?
            do {
                frame = try FrameDecoder.readFrame(from: &pending, maxFrameSize: maxFrameSize)
            } catch {
                fatalError("the server wrote a frame its own decoder refuses (announced limit \(maxFrameSize)): \(error)")
            }
            guard let frame else { return }
            check(frame, opened: opened)
        }
    }

    /// Whether a frame was cut short (the server writes whole frames).
    var hasPartialFrame: Bool { pending.readableBytes > 0 }

    private mutating func check(_ frame: Frame, opened: Set<UInt32>) {
        if ended { fatalError("the server wrote \(frame.type) after a GOAWAY that ended the connection") }
        if !settingsRead {
            guard frame.type == .settings, let settings = try? frame.decodePayload(as: Life_V1_Settings.self) else {
                fatalError("the server's first frame is \(frame.type), not SETTINGS")
            }
            guard settings.maxFrameSize == maxFrameSize else {
                fatalError("SETTINGS announce \(settings.maxFrameSize), not \(maxFrameSize)")
            }
            settingsRead = true
            return
        }
        switch frame.type {
        case .settings:
            fatalError("a second SETTINGS")
        case .headers, .cancel:
            fatalError("the server sent \(frame.type), which only clients send")
        case .ping:
            // Keepalive is off here: the server only answers pings.
            guard frame.flags.contains(.ack) else { fatalError("a PING from the server with keepalive off") }
        case .message:
            guard opened.contains(frame.callID) else { fatalError("MESSAGE for call \(frame.callID), never opened") }
            guard trailers[frame.callID, default: 0] == 0 else { fatalError("MESSAGE for call \(frame.callID) after its TRAILER") }
        case .trailer:
            guard opened.contains(frame.callID) else { fatalError("TRAILER for call \(frame.callID), never opened") }
            guard (try? frame.decodePayload(as: Life_V1_CallStatus.self)) != nil else { fatalError("TRAILER payload is not a CallStatus") }
            trailers[frame.callID, default: 0] += 1
            guard trailers[frame.callID]! == 1 else { fatalError("a second TRAILER for call \(frame.callID)") }
        case .goAway:
            guard let goAway = try? frame.decodePayload(as: Life_V1_GoAway.self) else { fatalError("GOAWAY payload is not a GoAway") }
            if goAway.reason == .shutdown {
                guard drainLastCallID == nil else { fatalError("a second GOAWAY(SHUTDOWN)") }
                drainLastCallID = goAway.lastCallID
            } else {
                ended = true
            }
        }
    }
}
