import LifeProto
import LifeWire
import Logging
import NIOCore
import Synchronization

/// One client connection: takes frames from `ServerFrameHandler`, runs calls concurrently,
/// answers pings, enforces the limits, and drains on GOAWAY.
///
/// Everything happens on the connection's event loop: frames arrive there, each call runs as a
/// task that prefers that loop (`EventLoopTaskExecutor`), and writes go straight into the
/// channel, flushed once per loop turn. A call therefore costs no hand-off between threads; a
/// slow call still never holds up another, since each is its own task.
///
/// Backpressure: while more than the high water mark of bytes wait for the socket, the channel
/// is not writable; then nothing more is read from the peer (`ServerFrameHandler`), so a client
/// that sends but never reads leaves its requests in the kernel's buffers, not in ours, and
/// stream messages wait (`WritabilityGate`) — for at most `slowConsumerTimeout`, after which
/// their call ends with RESOURCE_EXHAUSTED. A connection that takes nothing for twice that long
/// is closed, and every close waits at most that long for its last frames to leave.
final class ServerConnection: Sendable {
    private let channel: any Channel
    let peer: PeerIdentity
    private let router: RPCRouter
    private let limits: ConnectionLimits
    private let events: PeerEventLog
    private let logger: Logger
    private let table = Mutex(CallTable())
    private let liveness = Mutex(Liveness())
    private let flushing = Mutex(Flushing())
    /// Set once the connection is closing: nothing more is read or started.
    private let closing = Mutex(false)
    /// Whether the channel takes more bytes; stream writers wait here.
    let writability = WritabilityGate()
    let executor: EventLoopTaskExecutor

    private struct Liveness {
        var lastRead: ContinuousClock.Instant = .now
        var pingSentAt: ContinuousClock.Instant?
        var pingsSent: UInt64 = 0
    }

    private struct Flushing {
        var scheduled = false
        /// Bytes written since the last flush.
        var unflushedBytes = 0
    }

    /// `events` takes the lines a peer can cause again and again (protocol errors, timeouts, streams
    /// it does not read), a few a minute at most.
    init(channel: any Channel, peer: PeerIdentity, router: RPCRouter, limits: ConnectionLimits, events: PeerEventLog, logger: Logger) {
        self.channel = channel
        self.peer = peer
        self.router = router
        self.limits = limits
        self.events = events
        self.logger = logger
        self.executor = EventLoopTaskExecutor(channel.eventLoop)
    }

    /// Calls currently open on this connection.
    var openCalls: Int { table.withLock { $0.calls.count } }

    /// Whether the connection is closing (frames that still arrive are dropped).
    var isClosing: Bool { closing.withLock { $0 } }

    /// Sets the channel's write buffer water marks and makes it read at most one buffer (64 KiB)
    /// per turn of the event loop — what one read brings in is handled, or waits, in memory —
    /// then sends the server's preface and SETTINGS. Called once, on the event loop, before any
    /// frame is handled.
    func greet() {
        let marks = ChannelOptions.Types.WriteBufferWaterMark(
            low: limits.writeBufferLowWaterMark, high: limits.writeBufferHighWaterMark)
        do {
            try channel.syncOptions?.setOption(ChannelOptions.writeBufferWaterMark, value: marks)
            try channel.syncOptions?.setOption(ChannelOptions.maxMessagesPerRead, value: 1)
        } catch {
            logger.warning("cannot set the connection's buffer limits", metadata: ["error": "\(error)"])
        }
        var hello = ByteBuffer()
        Preface.write(to: &hello)
        Frame.writeSettings(settings, to: &hello)
        channel.writeAndFlush(hello, promise: nil)
    }

    /// Enforces idle timeout and keepalive until the connection closes, then stops every call
    /// still running and waits for them.
    func run() async {
        await withTaskExecutorPreference(executor) {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.superviseLiveness() }
                try? await channel.closeFuture.get()
                group.cancelAll()
            }
            await stopAllCalls()
        }
    }

    /// Sends GOAWAY(SHUTDOWN): calls already opened complete, later ones are refused, and the
    /// connection closes once the last call ends. Idempotent.
    func drain() {
        // On the event loop, where calls finish: from another thread, the GOAWAY written here
        // could be queued behind the close of a call that ended meanwhile, and never leave.
        guard channel.eventLoop.inEventLoop else {
            channel.eventLoop.execute { self.drain() }
            return
        }
        guard let last = table.withLock({ $0.isDraining ? nil : $0.beginDrain() }) else { return }
        sendGoAway(reason: .shutdown, message: "server is shutting down", lastCallID: last)
        if table.withLock({ $0.isEmpty }) { close() }
    }

    // MARK: - Frames (on the event loop)

    private var settings: Life_V1_Settings {
        var settings = Life_V1_Settings()
        settings.maxFrameSize = limits.maxFrameSize
        settings.maxConcurrentCalls = UInt32(limits.maxConcurrentCalls)
        settings.maxHeaderSize = UInt32(limits.maxHeaderSize)
        settings.idleTimeoutMs = UInt64(limits.idleTimeout.milliseconds)
        settings.keepaliveIntervalMs = UInt64(limits.keepaliveInterval.milliseconds)
        return settings
    }

    /// Handles one frame. A `WireError` thrown here ends the connection (see `fail`).
    func handle(_ frame: Frame) throws {
        switch frame.type {
        case .headers:
            try openCall(frame)
        case .message:
            try startCall(frame)
        case .cancel:
            cancelCall(frame.callID)
        case .ping:
            if frame.flags.contains(.ack) {
                liveness.withLock { $0.pingSentAt = nil }
            } else {
                var pong = ByteBuffer()
                Frame.writePingAck(answering: frame, to: &pong)
                write(pong)
            }
        case .settings:
            break  // Reserved for client parameters; v1 defines none.
        case .trailer, .goAway:
            throw WireError.protocolViolation("\(frame.type) frames are sent by the server only")
        }
    }

    /// Records that the peer sent something (once per read, for keepalive).
    func noteActivity() {
        liveness.withLock { $0.lastRead = .now }
    }

    /// The channel's writability changed: waiting stream writers go on once it is writable.
    func writabilityChanged(to writable: Bool) {
        writability.update(writable: writable)
    }

    /// Whether `predicate` holds for this connection's peer.
    func peerMatches(_ predicate: (PeerIdentity) -> Bool) -> Bool {
        predicate(peer)
    }

    /// Ends the connection at once (calls in flight are cancelled), telling the peer why.
    func terminate(reason: Life_V1_GoAwayReason, message: String) {
        guard !isClosing else { return }
        events.note(.connectionEnded, "closing connection: \(message)", logger: logger)
        sendGoAway(reason: reason, message: message)
        close()
    }

    /// Ends the connection for a protocol violation, telling the peer why.
    func fail(_ error: WireError) {
        terminate(reason: error.goAwayReason, message: error.description)
    }

    private func openCall(_ frame: Frame) throws {
        let callID = frame.callID
        try table.withLock { try $0.claim(callID: callID) }
        guard frame.payload.readableBytes <= limits.maxHeaderSize else {
            let size = frame.payload.readableBytes
            refuse(callID, RPCError(.resourceExhausted, "call header of \(size) bytes exceeds the limit of \(limits.maxHeaderSize) bytes"))
            return
        }
        let header = try frame.decodePayload(as: Life_V1_CallHeader.self)
        if table.withLock({ $0.isDraining }) {
            refuse(callID, RPCError(.unavailable, "server is shutting down; retry on a new connection"))
            return
        }
        if let key = header.metadata.keys.first(where: { !Self.isValidMetadataKey($0) }) {
            refuse(callID, RPCError(.invalidArgument, "metadata key \"\(key.prefix(64))\" is not lower-case ASCII"))
            return
        }
        guard let handler = router.handler(forPath: header.method) else {
            refuse(callID, RPCError(.unimplemented, "method \(header.method.prefix(200)) is not offered on this listener"))
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
        // Without a deadline, the request itself must come within `requestTimeout`, so a HEADERS
        // alone cannot hold a slot (and keep the connection from idling) for ever.
        let timer =
            header.timeoutMs > 0
            ? channel.eventLoop.scheduleTask(in: TimeAmount(saturating: timeout)) { self.expire(callID) }
            : channel.eventLoop.scheduleTask(in: TimeAmount(saturating: limits.requestTimeout)) { self.expireRequest(callID) }
        let decision = table.withLock {
            $0.open(
                callID: callID,
                call: CallTable.Call(handler: handler, context: context, deadlineTimer: timer),
                maxConcurrentCalls: limits.maxConcurrentCalls
            )
        }
        if case .refuse(let error) = decision {
            timer.cancel()
            refuse(callID, error)
        }
    }

    private static func isValidMetadataKey(_ key: String) -> Bool {
        !key.isEmpty
            && key.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D || $0 == 0x5F || $0 == 0x2E }
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
        let task = Task(executorPreference: executor) { await self.execute(callID: callID, call: call, request: request) }
        if table.withLock({ $0.attach(task: task, to: callID) }) { task.cancel() }
    }

    private func cancelCall(_ callID: UInt32) {
        guard let call = table.withLock({ $0.stop(callID: callID, reason: .cancelledByClient) }) else { return }
        if call.started {
            call.task?.cancel()
        } else {
            _ = table.withLock { $0.finish(callID: callID) }  // Cancelled before its request arrived.
            closeIfDrained()
        }
    }

    /// The deadline passed: the call is answered DEADLINE_EXCEEDED now, whatever it is doing
    /// (PROTOCOL §6). A running call is cancelled as well; work that cannot stop at once (a
    /// password hash) runs on, holding the call's slot until it ends, but its answer does not
    /// wait for it, and its task writes nothing more.
    private func expire(_ callID: UInt32) {
        guard let call = table.withLock({ $0.stop(callID: callID, reason: .deadlineExceeded) }) else { return }
        if call.started {
            call.task?.cancel()  // Without a task yet, `attach` sees the stop and cancels it.
        } else {
            _ = table.withLock { $0.finish(callID: callID) }
        }
        refuse(callID, RPCError(.deadlineExceeded, "deadline exceeded"))
        closeIfDrained()
    }

    /// A call opened without a deadline got no request within `requestTimeout`: answered here.
    /// A call whose request came is left alone (it has no deadline).
    private func expireRequest(_ callID: UInt32) {
        let waiting = table.withLock { table -> Bool in
            guard let call = table.calls[callID], !call.started, table.stop(callID: callID, reason: .deadlineExceeded) != nil else {
                return false
            }
            _ = table.finish(callID: callID)
            return true
        }
        if waiting {
            refuse(callID, RPCError(.deadlineExceeded, "the request MESSAGE did not arrive within \(limits.requestTimeout) of its HEADERS"))
            closeIfDrained()
        }
    }

    // MARK: - Running calls

    private func execute(callID: UInt32, call: CallTable.Call, request: [UInt8]) async {
        let sink: RPCHandler.Sink = { [self] bytes in
            try Task.checkCancellation()
            try checkOutgoingSize(bytes)
            // Written only while the channel is writable: a stream goes at the reader's pace, and
            // a reader that stops costs the server at most the water mark, not the whole stream.
            try await waitUntilWritable(callID: callID, method: call.handler.method)
            // The call may have been answered (deadline) or cancelled while it waited.
            try Task.checkCancellation()
            var buffer = ByteBuffer()
            Frame.writeMessage(callID: callID, bytes: bytes, to: &buffer)
            write(buffer)
        }
        let outcome: Result<[UInt8]?, any Error>
        do {
            outcome = .success(try await call.handler.run(request: request, context: call.context, sink: sink))
        } catch {
            outcome = .failure(error)
        }
        let (_, stopReason) = table.withLock { $0.finish(callID: callID) }
        var out = ByteBuffer()
        switch (stopReason, outcome) {
        case (.deadlineExceeded, _), (.cancelledByClient, _), (.connectionClosed, _):
            break  // Answered at the deadline (`expire`), or nobody is waiting for an answer.
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
        let (isEmpty, isDraining) = table.withLock { ($0.isEmpty, $0.isDraining) }
        if out.readableBytes > 0 {
            // The last open call flushes at once; with others still running, their answers may
            // share the flush at the end of this loop turn.
            if isEmpty { channel.writeAndFlush(out, promise: nil) } else { write(out) }
        }
        if isDraining && isEmpty { close() }
    }

    /// A draining connection closes once its last call has ended, whichever way it ended: its
    /// handler returned (`execute`), or it never ran — cancelled, or past its deadline or the
    /// request timeout, before its request came. Called after the call's last write.
    private func closeIfDrained() {
        if table.withLock({ $0.isDraining && $0.isEmpty }) { close() }
    }

    /// Returns once a stream message may be written; throws RESOURCE_EXHAUSTED when the peer
    /// took no bytes for `slowConsumerTimeout`, or CancellationError when the call or the
    /// connection stops meanwhile.
    private func waitUntilWritable(callID: UInt32, method: MethodDescriptor) async throws {
        guard !writability.isOpenAndWritable else { return }  // Without a suspension, the common case.
        let timeout = limits.slowConsumerTimeout
        switch await writability.waitUntilWritable(timeout: timeout, on: channel.eventLoop) {
        case .writable:
            return
        case .cancelled, .closed:
            throw CancellationError()
        case .timedOut:
            events.note(
                .streamEnded, "ending a stream: the client is not reading it",
                metadata: ["method": "\(method)", "call": "\(callID)", "waited": "\(timeout)"], logger: logger)
            throw RPCError(
                .resourceExhausted,
                "the client is not reading its stream: no message could be sent for \(timeout)",
                reason: "SLOW_CONSUMER"
            )
        }
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

    private func refuse(_ callID: UInt32, _ error: RPCError) {
        var buffer = ByteBuffer()
        Frame.writeTrailer(callID: callID, error: error, to: &buffer)
        write(buffer)
    }

    // MARK: - Liveness

    /// Enforces the idle timeout and keepalive; returns when the connection should close or the
    /// task is cancelled.
    private func superviseLiveness() async {
        let candidates = [limits.idleTimeout, limits.keepaliveInterval, limits.keepaliveTimeout, limits.slowConsumerTimeout]
            .filter { $0 > .zero }
        guard let shortest = candidates.min() else { return }
        let tick = min(max(shortest / 4, .milliseconds(10)), .seconds(1))
        while true {
            do { try await Task.sleep(for: tick) } catch { return }
            guard !isClosing else { return }
            let now = ContinuousClock.now
            if let stalledSince = writability.stalledSince, stalledSince.duration(to: now) >= limits.slowConsumerTimeout * 2 {
                // A GOAWAY could not reach a peer that reads nothing: just close.
                events.note(
                    .connectionEnded, "closing connection: the client has read nothing for \(limits.slowConsumerTimeout * 2)",
                    logger: logger)
                closeNow()
                return
            }
            if limits.idleTimeout > .zero, let idleSince = table.withLock({ $0.idleSince }),
                idleSince.duration(to: now) >= limits.idleTimeout
            {
                events.note(.idleClosed, "closing idle connection", level: .info, logger: logger)
                sendGoAway(reason: .idleTimeout, message: "no call for \(limits.idleTimeout)")
                close()
                return
            }
            guard limits.keepaliveInterval > .zero else { continue }
            let (lastRead, pingSentAt) = liveness.withLock { ($0.lastRead, $0.pingSentAt) }
            if let pingSentAt {
                if pingSentAt.duration(to: now) >= limits.keepaliveTimeout {
                    events.note(.connectionEnded, "closing connection: keepalive ping not answered", logger: logger)
                    sendGoAway(reason: .keepaliveTimeout, message: "keepalive ping not answered within \(limits.keepaliveTimeout)")
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
                write(ping)
            }
        }
    }

    // MARK: - Writing

    private func sendGoAway(reason: Life_V1_GoAwayReason, message: String, lastCallID: UInt32? = nil) {
        var buffer = ByteBuffer()
        let last = lastCallID ?? table.withLock { $0.highestCallID }
        Frame.writeGoAway(lastCallID: last, reason: reason, message: message, to: &buffer)
        channel.writeAndFlush(buffer, promise: nil)
    }

    /// Writes now and flushes once at the end of this turn of the event loop, so the answers of
    /// calls that finish together leave in one system call — or at once when a water mark's worth
    /// is waiting, so the channel's writability (which counts flushed bytes only behind TLS)
    /// follows what was written.
    private func write(_ buffer: ByteBuffer) {
        channel.write(buffer, promise: nil)
        let (flushNow, scheduleFlush) = flushing.withLock { flushing in
            flushing.unflushedBytes += buffer.readableBytes
            if flushing.unflushedBytes >= limits.writeBufferHighWaterMark {
                flushing.unflushedBytes = 0
                return (true, false)
            }
            defer { flushing.scheduled = true }
            return (false, !flushing.scheduled)
        }
        if flushNow {
            channel.flush()
        } else if scheduleFlush {
            channel.eventLoop.execute {
                self.flushing.withLock {
                    $0.scheduled = false
                    $0.unflushedBytes = 0
                }
                self.channel.flush()
            }
        }
    }

    /// Marks the connection closing and stops its calls; false if it was closing already.
    private func beginClosing() -> Bool {
        guard
            closing.withLock({ closing in
                defer { closing = true }; return !closing
            })
        else { return false }
        writability.close()
        for task in table.withLock({ $0.stopAll() }) { task.cancel() }
        return true
    }

    /// Closes once everything written so far has left (writes complete in order, so an empty
    /// write completing means the trailers and GOAWAY before it were written) — or after
    /// `slowConsumerTimeout` if the peer takes nothing, so that a peer that does not read cannot
    /// keep a closing connection open.
    private func close() {
        guard beginClosing() else { return }
        let channel = self.channel
        let (events, logger) = (self.events, self.logger)
        let giveUp = channel.eventLoop.scheduleTask(in: TimeAmount(saturating: limits.slowConsumerTimeout)) {
            events.note(.connectionEnded, "closing connection without its last frames: the client is not reading", logger: logger)
            channel.close(promise: nil)
        }
        channel.writeAndFlush(ByteBuffer()).whenComplete { _ in
            giveUp.cancel()
            channel.close(promise: nil)
        }
    }

    /// Closes at once, dropping whatever has not left yet.
    private func closeNow() {
        _ = beginClosing()
        channel.close(promise: nil)
    }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
