import LifeProto
import LifeWire
import Logging
import NIOCore
import Synchronization

/// One client connection: reads frames, runs calls concurrently, answers pings, enforces the
/// limits, and drains on GOAWAY. Handlers run in their own tasks so a slow call never holds up
/// another; the connection waits for all of them before it ends.
final class ServerConnection: Sendable {
    typealias AsyncChannel = NIOAsyncChannel<Frame, ByteBuffer>
    typealias Writer = NIOAsyncChannelOutboundWriter<ByteBuffer>

    private let channel: AsyncChannel
    private let peer: PeerIdentity
    private let router: RPCRouter
    private let limits: ConnectionLimits
    private let logger: Logger
    private let table = Mutex(CallTable())
    private let liveness = Mutex(Liveness())
    private let writer = Mutex<Writer?>(nil)

    private struct Liveness {
        var lastRead: ContinuousClock.Instant = .now
        var pingSentAt: ContinuousClock.Instant?
        var pingsSent: UInt64 = 0
    }

    init(channel: AsyncChannel, peer: PeerIdentity, router: RPCRouter, limits: ConnectionLimits, logger: Logger) {
        self.channel = channel
        self.peer = peer
        self.router = router
        self.limits = limits
        self.logger = logger
    }

    /// Calls currently open on this connection.
    var openCalls: Int { table.withLock { $0.calls.count } }

    /// Serves the connection until the peer leaves, a protocol error, or a completed drain.
    func run() async {
        do {
            try await channel.executeThenClose { inbound, outbound in
                writer.withLock { $0 = outbound }
                var hello = ByteBuffer()
                Preface.write(to: &hello)
                Frame.writeSettings(settings, to: &hello)
                try await outbound.write(hello)
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await self.superviseLiveness() }
                    await self.readFrames(inbound)
                    group.cancelAll()
                }
                await stopAllCalls()
            }
        } catch {
            logger.debug("connection ended", metadata: ["error": "\(error)"])
        }
    }

    /// Sends GOAWAY(SHUTDOWN): calls already opened complete, later ones are refused, and the
    /// connection closes once the last call ends.
    func drain() async {
        guard let last = table.withLock({ $0.isDraining ? nil : $0.beginDrain() }) else { return }
        await sendGoAway(reason: .shutdown, message: "server is shutting down", lastCallID: last)
        if table.withLock({ $0.isEmpty }) { close() }
    }

    // MARK: - Reading

    private var settings: Life_V1_Settings {
        var settings = Life_V1_Settings()
        settings.maxFrameSize = limits.maxFrameSize
        settings.maxConcurrentCalls = UInt32(limits.maxConcurrentCalls)
        settings.maxHeaderSize = UInt32(limits.maxHeaderSize)
        settings.idleTimeoutMs = UInt64(limits.idleTimeout.milliseconds)
        settings.keepaliveIntervalMs = UInt64(limits.keepaliveInterval.milliseconds)
        return settings
    }

    private func readFrames(_ inbound: NIOAsyncChannelInboundStream<Frame>) async {
        do {
            for try await frame in inbound {
                liveness.withLock { $0.lastRead = .now }
                try await handle(frame)
            }
        } catch let error as WireError {
            logger.notice("closing connection: \(error)")
            await sendGoAway(reason: error.goAwayReason, message: error.description)
        } catch {
            logger.notice("connection failed: \(error)")
        }
    }

    private func handle(_ frame: Frame) async throws {
        switch frame.type {
        case .headers:
            try await openCall(frame)
        case .message:
            try startCall(frame)
        case .cancel:
            cancelCall(frame.callID)
        case .ping:
            if frame.flags.contains(.ack) {
                liveness.withLock { $0.pingSentAt = nil }
            } else {
                var pong = ByteBuffer()
                var payload = frame.payload
                Frame.writePing(payload: payload.readInteger(as: UInt64.self) ?? 0, ack: true, to: &pong)
                await write(pong)
            }
        case .settings:
            break  // Reserved for client parameters; v1 defines none.
        case .trailer, .goAway:
            throw WireError.protocolViolation("\(frame.type) frames are sent by the server only")
        }
    }

    private func openCall(_ frame: Frame) async throws {
        let callID = frame.callID
        try table.withLock { try $0.claim(callID: callID) }
        guard frame.payload.readableBytes <= limits.maxHeaderSize else {
            let size = frame.payload.readableBytes
            await refuse(callID, RPCError(.resourceExhausted, "call header of \(size) bytes exceeds the limit of \(limits.maxHeaderSize) bytes"))
            return
        }
        let header = try frame.decodePayload(as: Life_V1_CallHeader.self)
        if table.withLock({ $0.isDraining }) {
            await refuse(callID, RPCError(.unavailable, "server is shutting down; retry on a new connection"))
            return
        }
        if let key = header.metadata.keys.first(where: { !Self.isValidMetadataKey($0) }) {
            await refuse(callID, RPCError(.invalidArgument, "metadata key \"\(key.prefix(64))\" is not lower-case ASCII"))
            return
        }
        guard let handler = router.handler(forPath: header.method) else {
            await refuse(callID, RPCError(.unimplemented, "method \(header.method.prefix(200)) is not offered on this listener"))
            return
        }
        let timeout = Duration.milliseconds(Int64(min(header.timeoutMs, CallTable.longestTimeoutMilliseconds)))
        let context = ServerCallContext(
            method: handler.method,
            callID: callID,
            metadata: header.metadata,
            deadline: header.timeoutMs > 0 ? .after(timeout) : .never,
            peer: peer
        )
        // The deadline runs from the header: a request that arrives late still counts against it.
        let timer = header.timeoutMs > 0
            ? channel.channel.eventLoop.scheduleTask(in: TimeAmount(saturating: timeout)) { self.expire(callID) }
            : nil
        let decision = table.withLock {
            $0.open(
                callID: callID,
                call: CallTable.Call(handler: handler, context: context, deadlineTimer: timer),
                maxConcurrentCalls: limits.maxConcurrentCalls
            )
        }
        if case .refuse(let error) = decision {
            timer?.cancel()
            await refuse(callID, error)
        }
    }

    private static func isValidMetadataKey(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D || $0 == 0x5F || $0 == 0x2E }
    }

    private func startCall(_ frame: Frame) throws {
        let callID = frame.callID
        let (call, opened) = try table.withLock { ($0.wasOpened(callID) ? try $0.start(callID: callID) : nil, $0.wasOpened(callID)) }
        guard let call else {
            if !opened {
                throw WireError.protocolViolation("MESSAGE for call \(callID), which was never opened")
            }
            return  // The call was refused or already ended; its late request is dropped.
        }
        let request = frame.payloadBytes
        let task = Task { await self.execute(callID: callID, call: call, request: request) }
        if table.withLock({ $0.attach(task: task, to: callID) }) { task.cancel() }
    }

    private func cancelCall(_ callID: UInt32) {
        guard let call = table.withLock({ $0.stop(callID: callID, reason: .cancelledByClient) }) else { return }
        if call.started {
            call.task?.cancel()
        } else {
            _ = table.withLock { $0.finish(callID: callID) }  // Cancelled before its request arrived.
        }
    }

    /// The deadline passed: a running call is cancelled (its task writes the trailer); a call
    /// still waiting for its request is answered here.
    private func expire(_ callID: UInt32) {
        guard let call = table.withLock({ $0.stop(callID: callID, reason: .deadlineExceeded) }) else { return }
        if call.started {
            call.task?.cancel()  // Without a task yet, `attach` sees the stop and cancels it.
        } else {
            _ = table.withLock { $0.finish(callID: callID) }
            var buffer = ByteBuffer()
            Frame.writeTrailer(callID: callID, error: RPCError(.deadlineExceeded, "deadline exceeded"), to: &buffer)
            channel.channel.writeAndFlush(buffer, promise: nil)
        }
    }

    // MARK: - Running calls

    private func execute(callID: UInt32, call: CallTable.Call, request: [UInt8]) async {
        let sink: RPCHandler.Sink = { [self] bytes in
            try Task.checkCancellation()
            try checkOutgoingSize(bytes)
            var buffer = ByteBuffer()
            Frame.writeMessage(callID: callID, bytes: bytes, to: &buffer)
            try await writeOrThrow(buffer)
        }
        var out = ByteBuffer()
        var cancelled = false
        let outcome: Result<[UInt8]?, any Error>
        do {
            outcome = .success(try await call.handler.run(request: request, context: call.context, sink: sink))
        } catch {
            outcome = .failure(error)
        }
        let (_, stopReason) = table.withLock { $0.finish(callID: callID) }
        switch (stopReason, outcome) {
        case (.deadlineExceeded, _):
            Frame.writeTrailer(callID: callID, error: RPCError(.deadlineExceeded, "deadline exceeded"), to: &out)
            cancelled = true
        case (.cancelledByClient, _), (.connectionClosed, _):
            break  // Nobody is waiting for an answer.
        case (nil, .success(let response)):
            if let response, response.count > limits.maxFrameSize {
                logger.error("response too large", metadata: ["method": "\(call.handler.method)", "bytes": "\(response.count)"])
                Frame.writeTrailer(callID: callID, error: RPCError(.resourceExhausted, "response exceeds the frame size limit"), to: &out)
            } else {
                if let response { Frame.writeMessage(callID: callID, bytes: response, to: &out) }
                Frame.writeTrailer(callID: callID, error: nil, to: &out)
            }
        case (nil, .failure(let error)):
            let rpcError = ErrorMapping.rpcError(for: error, method: call.handler.method, logger: logger)
            Frame.writeTrailer(callID: callID, error: rpcError, to: &out)
        }
        if out.readableBytes > 0 {
            // A cancelled task may not use the async writer; the channel takes the bytes directly.
            if cancelled { channel.channel.writeAndFlush(out, promise: nil) } else { await write(out) }
        }
        if table.withLock({ $0.isDraining && $0.isEmpty }) { close() }
    }

    /// The server keeps its own frames within the limit it announced.
    private func checkOutgoingSize(_ bytes: [UInt8]) throws {
        guard bytes.count <= limits.maxFrameSize else {
            throw RPCError(.resourceExhausted, "response message exceeds the frame size limit")
        }
    }

    private func stopAllCalls() async {
        let tasks = table.withLock { $0.stopAll() }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
    }

    private func refuse(_ callID: UInt32, _ error: RPCError) async {
        var buffer = ByteBuffer()
        Frame.writeTrailer(callID: callID, error: error, to: &buffer)
        await write(buffer)
    }

    // MARK: - Liveness

    /// Enforces the idle timeout and keepalive; returns when the connection should close or the
    /// task is cancelled.
    private func superviseLiveness() async {
        let candidates = [limits.idleTimeout, limits.keepaliveInterval, limits.keepaliveTimeout].filter { $0 > .zero }
        guard let shortest = candidates.min() else { return }
        let tick = min(max(shortest / 4, .milliseconds(10)), .seconds(1))
        while true {
            do { try await Task.sleep(for: tick) } catch { return }
            let now = ContinuousClock.now
            if limits.idleTimeout > .zero, let idleSince = table.withLock({ $0.idleSince }),
                idleSince.duration(to: now) >= limits.idleTimeout
            {
                logger.info("closing idle connection")
                await sendGoAway(reason: .idleTimeout, message: "no call for \(limits.idleTimeout)")
                close()
                return
            }
            guard limits.keepaliveInterval > .zero else { continue }
            let (lastRead, pingSentAt) = liveness.withLock { ($0.lastRead, $0.pingSentAt) }
            if let pingSentAt {
                if pingSentAt.duration(to: now) >= limits.keepaliveTimeout {
                    logger.notice("closing connection: keepalive ping not answered")
                    await sendGoAway(reason: .keepaliveTimeout, message: "keepalive ping not answered within \(limits.keepaliveTimeout)")
                    close()
                    return
                }
            } else if lastRead.duration(to: now) >= limits.keepaliveInterval {
                let sequence = liveness.withLock { liveness in
                    liveness.pingSentAt = now
                    liveness.pingsSent += 1
                    return liveness.pingsSent
                }
                var ping = ByteBuffer()
                Frame.writePing(payload: sequence, ack: false, to: &ping)
                await write(ping)
            }
        }
    }

    // MARK: - Writing

    private func sendGoAway(reason: Life_V1_GoAwayReason, message: String, lastCallID: UInt32? = nil) async {
        var buffer = ByteBuffer()
        let last = lastCallID ?? table.withLock { $0.highestCallID }
        Frame.writeGoAway(lastCallID: last, reason: reason, message: message, to: &buffer)
        await write(buffer)
    }

    private func write(_ buffer: ByteBuffer) async {
        try? await writeOrThrow(buffer)
    }

    private func writeOrThrow(_ buffer: ByteBuffer) async throws {
        guard let writer = writer.withLock({ $0 }) else { return }
        try await writer.write(buffer)
    }

    private func close() {
        channel.channel.close(promise: nil)
    }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

}
