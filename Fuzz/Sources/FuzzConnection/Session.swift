import Foundation
import LifeProto
import LifeServer
import LifeWire
import Logging
import NIOCore
import NIOEmbedded
import SwiftProtobuf
import Synchronization

/// One input played against one connection: a client that sends what the input says, the server
/// that answers, and the checks (see FuzzConnection.swift).
final class Session {
    /// Small limits, so that inputs reach them: frames, concurrent calls, header size, timeouts.
    /// Idle timeout and keepalive are off: they run on the wall clock, which would make a run
    /// depend on the machine's speed rather than on its input.
    static let limits: ConnectionLimits = {
        var limits = ConnectionLimits()
        limits.maxFrameSize = 1024
        limits.maxConcurrentCalls = 4
        limits.maxHeaderSize = 256
        limits.handshakeTimeout = .seconds(3)
        limits.idleTimeout = .zero
        limits.keepaliveInterval = .zero
        limits.slowConsumerTimeout = .seconds(5)
        limits.requestTimeout = .seconds(2)
        limits.writeBufferHighWaterMark = 4096
        limits.writeBufferLowWaterMark = 2048
        return limits
    }()

    private static let logger = Logger(label: "fuzz", factory: { _ in SwiftLogNoOpLogHandler() })
    /// Call timeouts a HEADERS frame may carry (0: none); the last is cut to 30 days by the server.
    private static let timeouts: [UInt64] = [0, 0, 1, 50, 500, 2500, 10_000, .max]
    /// Steps by which time may move.
    private static let steps: [TimeAmount] = [
        .milliseconds(1), .milliseconds(10), .milliseconds(100), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(12), .seconds(60),
    ]

    private var input: ArraySlice<UInt8>
    private let loop = NIOAsyncTestingEventLoop()
    private let channel: NIOAsyncTestingChannel
    private var output = ServerOutput(maxFrameSize: Session.limits.maxFrameSize)
    private let recorder = OutboundRecorder()

    /// The client's own bytes, decoded as the server's decoder will: what the server sees.
    private var sent = ByteBuffer()
    private var sentPreface = false
    /// The client's stream no longer decodes (the server answers GOAWAY, or waits for the rest).
    private var sentBroken = false
    /// Call ids the client sent HEADERS for, with the method named; the highest.
    private var opened: [UInt32: String] = [:]
    private var highestOpened: UInt32 = 0
    /// Calls the client cancelled: they end without a trailer.
    private var cancelled: Set<UInt32> = []
    /// The client closed the connection (an action, or at the end when it could not drain).
    private var peerClosed = false
    private var connection: DetachedConnection?

    init(input: [UInt8]) {
        self.input = input[...]
        self.channel = NIOAsyncTestingChannel(loop: loop)
    }

    func play() async {
        let connection: DetachedConnection
        do {
            connection = try await loop.executeInContext { [channel, recorder] in
                try channel.pipeline.syncOperations.addHandler(recorder)
                return try DetachedConnection(
                    channel: channel, credentials: UnixPeer(pid: 1, uid: 0, gid: 0), router: FuzzRouter.router, limits: Session.limits,
                    logger: Session.logger)
            }
        } catch {
            fatalError("cannot install the server's handlers: \(error)")
        }
        self.connection = connection
        let served = Served()
        Task { [served] in
            await connection.run()
            served.finish()
        }
        do {
            try await channel.connect(to: SocketAddress(unixDomainSocketPath: "/fuzz")).get()
        } catch {
            fatalError("cannot activate the channel: \(error)")
        }
        await pump()
        let control = input.popFirst() ?? 0
        if control & 1 != 0 { await send(Preface.bytes) }
        var actions = 0
        while !peerClosed, actions < 128, let opcode = input.popFirst() {
            actions += 1
            await act(opcode)
            await pump()
        }
        await finish(connection)
        await waitUntilServed(served)
        guard connection.connectionCount == 0, connection.handshakingCount == 0, connection.openCalls == 0 else {
            fatalError(
                "closed, yet the registry holds \(connection.connectionCount) connection(s), \(connection.handshakingCount) handshaking, "
                    + "\(connection.openCalls) call(s)")
        }
        checkTrailers()
        do {
            _ = try await channel.finish(acceptAlreadyClosed: true)
        } catch {
            fatalError("the channel did not finish cleanly: \(error)")
        }
        await loop.shutdownGracefully()
    }

    // MARK: - Actions

    private func act(_ opcode: UInt8) async {
        switch opcode % 12 {
        case 0:  // Raw bytes.
            await send(Array(take(Int(byte() % 48))))
        case 1:
            await sendHeaders()
        case 2:
            await sendMessage()
        case 3:
            await sendFrame(.cancel, callID: pickCall(byte()), payload: [])
        case 4:
            var buffer = ByteBuffer()
            Frame.writePing(payload: UInt64(byte()), ack: byte() & 1 != 0, to: &buffer)
            await send(Array(buffer.readableBytesView))
        case 5:
            await sendFrame(.settings, callID: 0, payload: Array(take(Int(byte() % 8))))
        case 6:  // Frames only a server may send.
            if byte() & 1 == 0 {
                await sendFrame(.trailer, callID: pickCall(byte()), payload: [])
            } else {
                await sendFrame(.goAway, callID: 0, payload: [])
            }
        case 7:
            await setWritable(false)
        case 8:
            await setWritable(true)
        case 9:
            await loop.advanceTime(by: Self.steps[Int(byte() % 8)])
        case 10:
            await closeFromPeer()
        default:
            guard let connection else { return }
            connection.drain()  // Goes to the event loop itself; runs at the next pump.
        }
    }

    private func sendHeaders() async {
        let selector = byte()
        // Mostly a fresh, increasing id; now and then one already used (a protocol error). Wrapping:
        // raw bytes may have opened the highest id there is.
        let callID = selector & 0xC0 == 0xC0 ? highestOpened : highestOpened &+ 1 &+ UInt32(selector & 3)
        let methodByte = byte()
        var header = Life_V1_CallHeader()
        header.method = FuzzRouter.paths[Int(methodByte) % FuzzRouter.paths.count]
        header.timeoutMs = Self.timeouts[Int(byte() % 8)]
        if methodByte & 0x80 != 0 { header.metadata["Not-Lower"] = "x" }
        if methodByte & 0x40 != 0 { header.metadata["padding"] = String(repeating: "p", count: 300) }
        var buffer = ByteBuffer()
        do {
            try Frame.writeHeaders(callID: callID, header: header, to: &buffer)
        } catch {
            fatalError("cannot encode a call header: \(error)")
        }
        await send(Array(buffer.readableBytesView))
    }

    private func sendMessage() async {
        let callID = pickCall(byte())
        let kind = byte()
        let payload: [UInt8]
        if kind & 0x80 != 0 {
            payload = Array(take(Int(kind & 0x3F)))
        } else {
            let size = Int(kind & 0x3F) * 24
            let message: any SwiftProtobuf.Message =
                switch opened[callID] {
                case FuzzRouter.echo.path, FuzzRouter.fail.path:
                    Google_Protobuf_BytesValue(Data(repeating: 0x61, count: kind & 1 == 0 ? size : 0))
                case FuzzRouter.stream.path: Google_Protobuf_UInt32Value(UInt32(kind))
                case "/life.v1.Health/Check", "/life.v1.Health/Watch":
                    Life_V1_HealthCheckRequest.with { $0.service = kind & 1 == 0 ? "" : "life.v1.Nothing" }
                default: Google_Protobuf_Empty()
                }
            do {
                payload = try message.serializedBytes()
            } catch {
                fatalError("cannot encode a request: \(error)")
            }
        }
        await sendFrame(.message, callID: callID, payload: payload)
    }

    /// A call id a frame refers to: one the client opened, mostly, else one never opened.
    private func pickCall(_ selector: UInt8) -> UInt32 {
        guard selector != 0xFF, !opened.isEmpty else { return highestOpened &+ 7 }
        let ids = opened.keys.sorted()
        return ids[Int(selector) % ids.count]
    }

    private func sendFrame(_ type: FrameType, callID: UInt32, payload: [UInt8]) async {
        var buffer = ByteBuffer()
        Frame.write(type: type, callID: callID, payload: payload, to: &buffer)
        await send(Array(buffer.readableBytesView))
    }

    private func setWritable(_ writable: Bool) async {
        guard channel.isActive, channel.isWritable != writable else { return }
        channel.isWritable = writable
        channel.pipeline.fireChannelWritabilityChanged()
    }

    private func closeFromPeer() async {
        peerClosed = true
        guard channel.isActive else { return }
        try? await channel.close()
    }

    // MARK: - The wire

    /// Hands bytes to the server, as one read, and notes what its decoder will make of them.
    private func send(_ bytes: [UInt8]) async {
        guard channel.isActive, !bytes.isEmpty else { return }
        do {
            try await channel.writeInbound(ByteBuffer(bytes: bytes))
        } catch {
            fatalError("writing to the server failed: \(error)")
        }
        noteSent(bytes)
    }

    private func noteSent(_ bytes: [UInt8]) {
        guard !sentBroken else { return }
        sent.writeBytes(bytes)
        if !sentPreface {
            let available = sent.readableBytesView.prefix(Preface.length)
            guard available.elementsEqual(Preface.bytes.prefix(available.count)) else {
                sentBroken = true
                return
            }
            guard sent.readableBytes >= Preface.length else { return }
            sent.moveReaderIndex(forwardBy: Preface.length)
            sentPreface = true
        }
        while true {
            let frame: Frame?
            do {
                frame = try FrameDecoder.readFrame(from: &sent, maxFrameSize: Self.limits.maxFrameSize)
            } catch {
                sentBroken = true  // The server's decoder fails here too, and the server answers GOAWAY.
                return
            }
            guard let frame else { return }
            switch frame.type {
            case .headers:
                let method = (try? frame.decodePayload(as: Life_V1_CallHeader.self))?.method ?? "(undecodable)"
                opened[frame.callID] = opened[frame.callID] ?? method
                highestOpened = max(highestOpened, frame.callID)
            case .cancel:
                cancelled.insert(frame.callID)
            default:
                break
            }
        }
    }

    /// Lets the loop run what is due now, and reads what the server wrote.
    private func pump() async {
        await loop.run()
        await Task.yield()
        await loop.run()
        let written = recorder.take()
        if !written.isEmpty {
            let opened = Set(opened.keys)
            for bytes in written { output.append(bytes, opened: opened) }
        }
    }

    // MARK: - The end

    /// Ends the connection. Unless the peer closed it or it ended already, gracefully: the channel
    /// writable again, time for every deadline to pass, a CANCEL for each call still unanswered
    /// (one that never answers would hold the drain for ever), then a drain, which must close it.
    private func finish(_ connection: DetachedConnection) async {
        if !peerClosed, channel.isActive, !output.ended {
            await setWritable(true)
            await pump()
            await loop.advanceTime(by: .seconds(60))
            await pump()
            let canCancel = !sentBroken && sent.readableBytes == 0 && sentPreface
            if canCancel {
                for callID in opened.keys.sorted() where output.trailers[callID] == nil {
                    await sendFrame(.cancel, callID: callID, payload: [])
                }
            }
            await pump()
            connection.drain()  // Goes to the event loop itself; runs at the next pump.
            await pump()
            await loop.advanceTime(by: .seconds(60))
            await pump()
            if canCancel, !output.ended, channel.isActive {
                fatalError("drained, with every call answered or cancelled, yet the connection is still open")
            }
        }
        if channel.isActive {
            peerClosed = true
            try? await channel.close()
        }
        await pump()
        if output.hasPartialFrame { fatalError("the server's output ends inside a frame") }
    }

    /// Returns once the serving loop has returned; a connection that keeps serving after its
    /// channel closed is a hang.
    private func waitUntilServed(_ served: Served) async {
        for round in 0..<100_000 {
            if served.isFinished { return }
            await loop.advanceTime(by: .seconds(60))
            if round > 100 { try? await Task.sleep(for: .milliseconds(1)) } else { await Task.yield() }
        }
        fatalError("the connection is still served long after its channel closed")
    }

    /// Every call opened at or below the drain's last call id has exactly one trailer, unless the
    /// client cancelled it or the connection ended otherwise (a GOAWAY with another reason, the
    /// peer's close).
    private func checkTrailers() {
        guard !peerClosed, !output.ended, let last = output.drainLastCallID else { return }
        for callID in opened.keys where callID <= last && !cancelled.contains(callID) {
            guard output.trailers[callID] == 1 else {
                fatalError("call \(callID) (\(opened[callID]!)) ended with \(output.trailers[callID] ?? 0) trailers")
            }
        }
    }

    // MARK: - Input

    private func byte() -> UInt8 { input.popFirst() ?? 0 }

    private func take(_ count: Int) -> ArraySlice<UInt8> {
        let taken = input.prefix(count)
        input = input.dropFirst(taken.count)
        return taken
    }
}

/// Set once the connection's serving loop returned.
private final class Served: Sendable {
    private let finished = Mutex(false)
    var isFinished: Bool { finished.withLock { $0 } }
    func finish() { finished.withLock { $0 = true } }
}
