import LifeProto
import LifeWire
import NIOCore
import NIOPosix
import NIOSSL
import SwiftProtobuf
import Synchronization

/// One LRPC connection from a client: many calls multiplexed on it. Made and closed by
/// `LifeClient.withConnection`; generated typed clients call through it (`RPCCaller`).
public final class ClientConnection: RPCCaller, Sendable {
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
        var preface = ByteBuffer()
        Preface.write(to: &preface)
        // If this fails the connection is gone; the SETTINGS wait reports why (e.g. a TLS alert).
        channel.writeAndFlush(preface, promise: nil)
        do {
            _ = try await serverSettings()
            let result = try await body(self)
            try? await channel.close()
            return result
        } catch {
            try? await channel.close()
            throw error
        }
    }

    // MARK: - RPCCaller

    public func unary<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ method: MethodDescriptor,
        request: Request,
        responseType: Response.Type,
        options: CallOptions
    ) async throws -> Response {
        let promise = channel.eventLoop.makePromise(of: [UInt8].self)
        let id = try start(.unary(promise, response: nil), method: method, request: request, options: options)
        let timer = scheduleDeadline(options.deadline, callID: id)
        defer { timer?.cancel() }
        let bytes = try await withTaskCancellationHandler {
            try await promise.futureResult.get()
        } onCancel: {
            self.abandon(id, error: RPCError(.cancelled, "call was cancelled"))
        }
        do {
            return try Response(serializedBytes: bytes)
        } catch {
            throw RPCError(.internal, "response is not a valid \(Response.protoMessageName)")
        }
    }

    public func serverStreaming<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ method: MethodDescriptor,
        request: Request,
        responseType: Response.Type,
        options: CallOptions
    ) async throws -> ServerStream<Response> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: Response.self)
        let call = PendingCalls.Call.streaming(
            onMessage: { bytes in
                do {
                    continuation.yield(try Response(serializedBytes: bytes))
                } catch {
                    continuation.finish(throwing: RPCError(.internal, "response is not a valid \(Response.protoMessageName)"))
                }
            },
            onEnd: { error in continuation.finish(throwing: error) }
        )
        let id = try start(call, method: method, request: request, options: options)
        let timer = scheduleDeadline(options.deadline, callID: id)
        continuation.onTermination = { termination in
            timer?.cancel()
            if case .cancelled = termination {
                self.abandon(id, error: RPCError(.cancelled, "call was cancelled"))
            }
        }
        return ServerStream(stream)
    }

    // MARK: - Sending

    /// Registers the call and sends its HEADERS and request. The id is taken and the frames are
    /// handed to the channel under one lock, so ids reach the server in increasing order (as the
    /// protocol requires) however many tasks call at once, and any later CANCEL follows them.
    private func start<Request: SwiftProtobuf.Message>(
        _ call: PendingCalls.Call,
        method: MethodDescriptor,
        request: Request,
        options: CallOptions
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
            throw fail(call, RPCError(.invalidArgument, "request cannot be encoded: \(error)"))
        }
        let limit = serverFrameLimit.withLock { $0 }
        if message.count > limit {
            throw fail(call, RPCError(.resourceExhausted, "request of \(message.count) bytes exceeds the server's frame limit of \(limit)"))
        }
        let channel = self.channel
        let opened: Result<(UInt32, EventLoopFuture<Void>), RPCError> = calls.withLock { calls in
            calls.open(call).map { id in
                var buffer = channel.allocator.buffer(capacity: 2 * Frame.headerLength + headerBytes.count + message.count)
                Frame.write(type: .headers, callID: id, payload: headerBytes, to: &buffer)
                Frame.writeMessage(callID: id, bytes: message, flags: .endStream, to: &buffer)
                return (id, channel.writeAndFlush(buffer))
            }
        }
        switch opened {
        case .failure(let error):
            throw fail(call, error)
        case .success(let (id, written)):
            // Not awaited (that would cost a task switch per call): a failed write fails the call.
            written.whenFailure { error in
                self.calls.withLock { $0.remove(id) }?.fail(RPCError(.unavailable, "connection closed: \(error)"))
            }
            return id
        }
    }

    private func fail(_ call: PendingCalls.Call, _ error: RPCError) -> RPCError {
        call.fail(error)
        return error
    }

    /// Gives up on a call: it fails locally at once and the server is told to stop its work.
    private func abandon(_ callID: UInt32, error: RPCError) {
        guard let call = calls.withLock({ $0.remove(callID) }) else { return }
        call.fail(error)
        var buffer = ByteBuffer()
        Frame.write(type: .cancel, callID: callID, payload: [], to: &buffer)
        channel.writeAndFlush(buffer, promise: nil)
    }

    private func scheduleDeadline(_ deadline: Deadline, callID: UInt32) -> Scheduled<Void>? {
        guard let instant = deadline.instant else { return nil }
        return channel.eventLoop.scheduleTask(in: TimeAmount(saturating: ContinuousClock.now.duration(to: instant))) {
            self.abandon(callID, error: RPCError(.deadlineExceeded, "deadline exceeded"))
        }
    }

    // MARK: - Reading

    /// The connection ended: every open call fails with `reason`. Idempotent.
    func end(_ reason: RPCError) {
        settingsPromise.fail(reason)
        for call in calls.withLock({ $0.close(reason: reason) }) {
            call.fail(reason)
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
            calls.withLock { $0.message(frame.payloadBytes, for: frame.callID) }?(frame.payloadBytes)
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
            for call in calls.withLock({ $0.goAway(lastCallID: goAway.lastCallID, reason: reason) }) {
                call.fail(reason)
            }
            if goAway.reason != .shutdown { throw reason }
        case .headers, .cancel:
            throw WireError.protocolViolation("server sent a \(frame.type) frame")
        }
    }
}
