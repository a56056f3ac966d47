import LifeProto
import LifeWire
import NIOCore
import NIOPosix
import NIOSSL
import SwiftProtobuf
import Synchronization

/// One LRPC connection from a client: many calls multiplexed on it. Made and closed by
/// `LifeClient.withConnection`; generated typed clients call through it (`RPCCaller`).
///
/// Backpressure: each streaming call buffers at most `streamBufferHighWatermark` messages its
/// consumer has not taken yet (a few more may arrive with the read in progress). While any
/// stream's buffer is that full, the connection reads nothing more from its socket — every call
/// on it waits, and the server, whose writes then stall, ends a stream left unread for its
/// `limits.slow_consumer_timeout` with RESOURCE_EXHAUSTED. Reading resumes once the consumer has
/// brought its buffer below `streamBufferLowWatermark`, or leaves the stream.
public final class ClientConnection: RPCCaller, Sendable {
    /// Messages a stream buffers before the connection stops reading.
    public static let streamBufferHighWatermark = 64
    /// Buffered messages below which a paused connection reads again.
    public static let streamBufferLowWatermark = 16

    private let channel: any Channel
    private let calls = Mutex(PendingCalls())
    private let settingsPromise: EventLoopPromise<Life_V1_Settings>
    /// Runs tasks on this connection's event loop. Callers that make many calls may prefer it
    /// (`withTaskExecutorPreference`) to save a thread hand-off per call; they must not block.
    public let taskExecutor: EventLoopTaskExecutor
    /// The server's max_frame_size from SETTINGS: a larger request fails alone, locally, instead of
    /// ending the connection for every call on it.
    private let serverFrameLimit = Mutex<UInt32>(.max)

    /// Makes the connection for a channel whose pipeline ends in the frame decoder, and adds the
    /// handler that feeds it frames. Call on the channel's event loop, before it reads.
    init(channel: any Channel) throws {
        self.channel = channel
        self.settingsPromise = channel.eventLoop.makePromise()
        self.taskExecutor = EventLoopTaskExecutor(channel.eventLoop)
        try channel.pipeline.syncOperations.addHandler(ClientFrameHandler(connection: self))
    }

    deinit {
        settingsPromise.fail(RPCError(.unavailable, "connection closed"))
    }

    /// The server's connection parameters, once its preface has arrived.
    public func serverSettings() async throws -> Life_V1_Settings {
        try await settingsPromise.futureResult.get()
    }

    /// Sends the preface, waits for the server's SETTINGS, runs `body`, then closes.
    func run<Result: Sendable>(_ body: @Sendable (ClientConnection) async throws -> Result) async throws -> Result {
        try await open()
        do {
            let result = try await body(self)
            await close()
            return result
        } catch {
            await close()
            throw error
        }
    }

    /// Sends the preface and waits for the server's SETTINGS; closes the connection and throws
    /// UNAVAILABLE when the server refuses it (GOAWAY), the TLS handshake fails or the connection
    /// ends first.
    func open() async throws {
        var preface = ByteBuffer()
        Preface.write(to: &preface)
        // If this fails the connection is gone; the SETTINGS wait reports why (e.g. a TLS alert).
        channel.writeAndFlush(preface, promise: nil)
        do {
            _ = try await serverSettings()
        } catch {
            await close()
            throw error
        }
    }

    func close() async {
        try? await channel.close()
    }

    /// Whether new calls may start here: no GOAWAY has come, and the connection has not ended.
    var isAcceptingCalls: Bool { calls.withLock { $0.closedReason == nil } }

    // MARK: - RPCCaller

    public func unary<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ method: MethodDescriptor,
        request: Request,
        responseType: Response.Type,
        options: CallOptions
    ) async throws -> Response {
        do {
            return try await unaryAttempt(method, request: request, responseType: responseType, options: options)
        } catch {
            throw AttemptFailure.rpcError(error)
        }
    }

    public func serverStreaming<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ method: MethodDescriptor,
        request: Request,
        responseType: Response.Type,
        options: CallOptions
    ) async throws -> ServerStream<Response> {
        do {
            return try serverStreamingAttempt(method, request: request, responseType: responseType, options: options)
        } catch {
            throw AttemptFailure.rpcError(error)
        }
    }

    // MARK: - Attempts (LifeChannel retries them)

    /// `unary`, failing with an `AttemptFailure` where the connection, not the server's answer,
    /// ended the call.
    func unaryAttempt<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ method: MethodDescriptor,
        request: Request,
        responseType: Response.Type,
        options: CallOptions
    ) async throws -> Response {
        let eventLoop = channel.eventLoop
        var response: EventLoopFuture<[UInt8]>?
        let id = try start(method: method, request: request, options: options) { _ in
            let promise = eventLoop.makePromise(of: [UInt8].self)
            response = promise.futureResult
            return .unary(promise, response: nil)
        }
        let timer = scheduleDeadline(options.deadline, callID: id)
        defer { timer?.cancel() }
        let answer = response!  // Built by `start`, which returned.
        let bytes = try await withTaskCancellationHandler {
            try await answer.get()
        } onCancel: {
            self.abandon(id, error: RPCError(.cancelled, "call was cancelled"))
        }
        do {
            return try Response(serializedBytes: bytes)
        } catch {
            throw RPCError(.internal, "response is not a valid \(Response.protoMessageName)")
        }
    }

    /// `serverStreaming`, failing with an `AttemptFailure` when the call could not be sent. Once the
    /// stream is returned, its failures reach its consumer as `RPCError`s.
    func serverStreamingAttempt<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ method: MethodDescriptor,
        request: Request,
        responseType: Response.Type,
        options: CallOptions
    ) throws -> ServerStream<Response> {
        var stream: ServerStream<Response>?
        _ = try start(method: method, request: request, options: options) { id in
            let timer = scheduleDeadline(options.deadline, callID: id)
            let demand = ServerStream<Response>.Demand(
                produceMore: { self.resumeReading(for: id) },
                terminated: {
                    // After the trailer this finds no call; otherwise the consumer gave up.
                    timer?.cancel()
                    self.abandon(id, error: RPCError(.cancelled, "call was cancelled"))
                }
            )
            let made = ServerStream<Response>.makeStream(
                lowWatermark: Self.streamBufferLowWatermark, highWatermark: Self.streamBufferHighWatermark, demand: demand)
            stream = made.stream
            return Self.streamingCall(feeding: made.source)
        }
        return stream!
    }

    /// The pending call that decodes a stream's messages into `source`; a message answers false
    /// once the consumer's buffer is full.
    private static func streamingCall<Response: SwiftProtobuf.Message>(feeding source: ServerStream<Response>.Source) -> PendingCalls.Call {
        .streaming(
            onMessage: { bytes in
                do {
                    return source.yield(try Response(serializedBytes: bytes)) != .stopProducing
                } catch {
                    source.finish(RPCError(.internal, "response is not a valid \(Response.protoMessageName)"))
                    return true
                }
            },
            onEnd: { error in
                if let error { source.finish(AttemptFailure.rpcError(error)) } else { source.finish() }
            }
        )
    }

    // MARK: - Sending

    /// Registers the call `makeCall` builds for its id and sends its HEADERS and request. The id
    /// is taken and the frames are handed to the channel under one lock, so ids reach the server
    /// in increasing order (as the protocol requires) however many tasks call at once, and any
    /// later CANCEL follows them. A call that cannot start is never built; one this connection can
    /// no longer carry fails with `AttemptFailure` (not processed).
    private func start<Request: SwiftProtobuf.Message>(
        method: MethodDescriptor,
        request: Request,
        options: CallOptions,
        makeCall: (UInt32) -> PendingCalls.Call
    ) throws -> UInt32 {
        var header = Life_V1_CallHeader()
        header.method = method.path
        header.timeoutMs = options.deadline.remainingMilliseconds() ?? 0
        header.metadata = options.metadata
        let headerBytes: [UInt8]
        let message: [UInt8]
        do {
            headerBytes = try header.serializedBytes()
            message = try request.serializedBytes()
        } catch {
            throw RPCError(.invalidArgument, "request cannot be encoded: \(error)")
        }
        let limit = serverFrameLimit.withLock { $0 }
        if message.count > limit {
            throw RPCError(.resourceExhausted, "request of \(message.count) bytes exceeds the server's frame limit of \(limit)")
        }
        let channel = self.channel
        let opened: Result<(UInt32, EventLoopFuture<Void>), RPCError> = calls.withLock { calls in
            calls.open(makeCall).map { id in
                var buffer = channel.allocator.buffer(capacity: 2 * Frame.headerLength + headerBytes.count + message.count)
                Frame.write(type: .headers, callID: id, payload: headerBytes, to: &buffer)
                Frame.writeMessage(callID: id, bytes: message, flags: .endStream, to: &buffer)
                return (id, channel.writeAndFlush(buffer))
            }
        }
        switch opened {
        case .failure(let error):
            throw AttemptFailure(error: error, outcome: .notProcessed)
        case .success(let (id, written)):
            // Not awaited (that would cost a task switch per call): a failed write fails the call.
            // Refused because the channel was closed, nothing of it was sent.
            written.whenFailure { error in
                let unsent = (error as? ChannelError) == .ioOnClosedChannel
                self.calls.withLock { $0.remove(id) }?.fail(
                    AttemptFailure(error: RPCError(.unavailable, "connection closed: \(error)"), outcome: unsent ? .notProcessed : .unknown)
                )
            }
            return id
        }
    }

    /// Gives up on a call: it fails locally at once and the server is told to stop its work.
    /// Reading goes on if this call's full buffer was what held it.
    private func abandon(_ callID: UInt32, error: RPCError) {
        guard let call = calls.withLock({ $0.remove(callID) }) else { return }
        call.fail(error)
        var buffer = ByteBuffer()
        Frame.write(type: .cancel, callID: callID, payload: [], to: &buffer)
        channel.writeAndFlush(buffer, promise: nil)
        if !isReadingPaused { channel.read() }
    }

    /// Whether a stream's full buffer holds the connection's reading (`ClientFrameHandler`).
    var isReadingPaused: Bool { calls.withLock { $0.isReadingPaused } }

    /// A stream's consumer caught up: reading goes on unless another stream still holds it.
    private func resumeReading(for callID: UInt32) {
        if calls.withLock({ $0.resume(callID) }) { channel.read() }
    }

    private func scheduleDeadline(_ deadline: Deadline, callID: UInt32) -> Scheduled<Void>? {
        guard let instant = deadline.instant else { return nil }
        return channel.eventLoop.scheduleTask(in: TimeAmount(saturating: ContinuousClock.now.duration(to: instant))) {
            self.abandon(callID, error: RPCError(.deadlineExceeded, "deadline exceeded"))
        }
    }

    // MARK: - Reading

    /// The connection ended: every open call fails with `reason` (their outcome is unknown: they
    /// were sent). Idempotent.
    func end(_ reason: RPCError) {
        settingsPromise.fail(reason)
        for call in calls.withLock({ $0.close(reason: reason) }) {
            call.fail(AttemptFailure(error: reason, outcome: .unknown))
        }
    }

    /// Handles one frame from the server, on the event loop; throws when the server breaks the protocol.
    func handle(_ frame: Frame) throws {
        switch frame.type {
        case .settings:
            let settings = try frame.decodePayload(as: Life_V1_Settings.self)
            if settings.maxFrameSize > 0 { serverFrameLimit.withLock { $0 = settings.maxFrameSize } }
            settingsPromise.succeed(settings)
        case .message:
            calls.withLock { $0.message(frame.payloadBytes, for: frame.callID) }
        case .trailer:
            let status = try frame.decodePayload(as: Life_V1_CallStatus.self)
            guard let call = calls.withLock({ $0.remove(frame.callID) }) else { return }
            let error = RPCError(status: status)
            switch call {
            case .unary(let promise, let response):
                if let error {
                    promise.fail(error)
                } else if let response {
                    promise.succeed(response)
                } else {
                    promise.fail(RPCError(.internal, "server ended a unary call without a response"))
                }
            case .streaming(_, let onEnd):
                onEnd(error)
            }
        case .ping:
            guard !frame.flags.contains(.ack) else { return }
            var pong = ByteBuffer()
            Frame.writePingAck(answering: frame, to: &pong)
            channel.writeAndFlush(pong, promise: nil)
        case .goAway:
            let goAway = try frame.decodePayload(as: Life_V1_GoAway.self)
            let reason = RPCError(.unavailable, "server closed the connection: \(goAway.message)", reason: "GOAWAY_\(goAway.reason)")
            settingsPromise.fail(reason)
            // Above last_call_id: the server says it never processed them.
            for call in calls.withLock({ $0.goAway(lastCallID: goAway.lastCallID, reason: reason) }) {
                call.fail(AttemptFailure(error: reason, outcome: .notProcessed))
            }
            if goAway.reason != .shutdown { throw reason }
        case .headers, .cancel:
            throw WireError.protocolViolation("server sent a \(frame.type) frame")
        }
    }
}
