import LifeClient
import LifeProto
import LifeWire
import NIOCore
import TestSupport
import Testing

/// A deadline or a client's cancel frees the server's work for the call.
@Suite("Deadlines and cancellation")
struct LifecycleOfCallsTests {
    @Test("a deadline ends a streaming call with DEADLINE_EXCEEDED and frees it on the server")
    func deadline() async throws {
        let daemon = try await TestDaemon.start()
        try await LifeClient.withConnection(to: daemon.unixEndpoint) { client in
            // Long enough for the first message to arrive on a loaded machine (the whole suite runs
            // in parallel on two cores), short enough to end the stream soon after.
            let stream = try await client.health.watch(.init(), deadline: .after(.milliseconds(1_500)))
            var iterator = stream.makeAsyncIterator()
            let checked1 = try await iterator.next()?.status
            #expect(checked1 == .serving)
            #expect(daemon.daemon.unixListener.openCalls == 1)
            let error = await #expect(throws: RPCError.self) { _ = try await iterator.next() }
            #expect(error?.code == .deadlineExceeded)
            #expect(await eventually { daemon.daemon.unixListener.openCalls == 0 })
        }
        try await daemon.stop()
    }

    @Test("the server enforces the deadline it was sent even if the client does not")
    func serverSideDeadline() async throws {
        let daemon = try await TestDaemon.start()
        let raw = try RawSocket(path: daemon.daemon.unixListener.address)
        var bytes = ByteBuffer(bytes: Preface.bytes)
        bytes.writeImmutableBuffer(RawFrames.headers(callID: 1, method: "/life.v1.Health/Watch", timeoutMs: 200))
        Frame.writeMessage(callID: 1, bytes: [], flags: .endStream, to: &bytes)
        raw.send(bytes)
        let frames = await raw.readFramesOffPool { $0.type == .trailer }
        #expect(frames.filter { $0.type == .message }.count == 1)
        #expect(frames.last?.callStatus?.code == .deadlineExceeded)
        #expect(await eventually { daemon.daemon.unixListener.openCalls == 0 })
        try await daemon.stop()
    }

    @Test("leaving a stream early cancels the call on the server")
    func clientCancel() async throws {
        let daemon = try await TestDaemon.start()
        try await LifeClient.withConnection(to: daemon.unixEndpoint) { client in
            do {
                let stream = try await client.health.watch(.init())
                for try await update in stream {
                    #expect(update.status == .serving)
                    break
                }
            }
            #expect(await eventually { daemon.daemon.unixListener.openCalls == 0 })
            let checked2 = try await client.health.check(.init()).status
            #expect(checked2 == .serving)
        }
        try await daemon.stop()
    }

    @Test("cancelling the calling task cancels the call on the server")
    func taskCancel() async throws {
        let daemon = try await TestDaemon.start()
        try await LifeClient.withConnection(to: daemon.unixEndpoint) { client in
            let task = Task {
                let stream = try await client.health.watch(.init())
                for try await _ in stream {}
            }
            #expect(await eventually { daemon.daemon.unixListener.openCalls == 1 })
            task.cancel()
            _ = await task.result
            #expect(await eventually { daemon.daemon.unixListener.openCalls == 0 })
        }
        try await daemon.stop()
    }

    @Test("a call whose request never comes still ends at its deadline")
    func deadlineWithoutRequest() async throws {
        let daemon = try await TestDaemon.start()
        let raw = try RawSocket(path: daemon.daemon.unixListener.address)
        var bytes = ByteBuffer(bytes: Preface.bytes)
        bytes.writeImmutableBuffer(RawFrames.headers(callID: 1, method: "/life.v1.Health/Check", timeoutMs: 200))
        raw.send(bytes)
        let frames = await raw.readFramesOffPool { $0.type == .trailer }
        #expect(frames.last?.callStatus?.code == .deadlineExceeded)
        #expect(await eventually { daemon.daemon.unixListener.openCalls == 0 })
        try await daemon.stop()
    }

    @Test("an absurd timeout (beyond Int64 nanoseconds) is cut, not a crash")
    func hugeTimeout() async throws {
        let daemon = try await TestDaemon.start()
        let raw = try RawSocket(path: daemon.daemon.unixListener.address)
        var bytes = ByteBuffer(bytes: Preface.bytes)
        bytes.writeImmutableBuffer(RawFrames.headers(callID: 1, method: "/life.v1.Health/Check", timeoutMs: .max))
        Frame.writeMessage(callID: 1, bytes: [], flags: .endStream, to: &bytes)
        raw.send(bytes)
        let frames = await raw.readFramesOffPool { $0.type == .trailer }
        let trailer = try #require(frames.last)
        #expect(trailer.type == .trailer)
        #expect(trailer.payload.readableBytes == 0, "OK trailer")
        let status = try await LifeClient.withConnection(to: daemon.unixEndpoint) { try await $0.health.check(.init()).status }
        #expect(status == .serving)
        try await daemon.stop()
    }

    @Test("many tasks calling at once on one connection: every call is answered", arguments: [false, true])
    func multiplexing(overTLS: Bool) async throws {
        let daemon = try await TestDaemon.start(["limits.max_concurrent_calls=1000"])
        let endpoint = overTLS ? daemon.tlsEndpoint(.facilityA) : daemon.unixEndpoint
        let answered = try await LifeClient.withConnection(to: endpoint) { client in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<64 {
                    group.addTask {
                        var count = 0
                        for _ in 0..<25 where try await client.health.check(.init()).status == .serving { count += 1 }
                        return count
                    }
                }
                return try await group.reduce(0, +)
            }
        }
        #expect(answered == 64 * 25)
        try await daemon.stop()
    }

    @Test("a MESSAGE after CANCEL on a running stream is dropped; the connection goes on (PROTOCOL §15.4)")
    func messageAfterCancel() async throws {
        let daemon = try await TestDaemon.start()
        let raw = try RawSocket(path: daemon.daemon.unixListener.address)
        var bytes = ByteBuffer(bytes: Preface.bytes)
        bytes.writeImmutableBuffer(RawFrames.headers(callID: 1, method: "/life.v1.Health/Watch"))
        Frame.writeMessage(callID: 1, bytes: [], flags: .endStream, to: &bytes)
        Frame.write(type: .cancel, callID: 1, payload: [UInt8](), to: &bytes)
        Frame.writeMessage(callID: 1, bytes: [], flags: .endStream, to: &bytes)
        bytes.writeImmutableBuffer(RawFrames.healthCheck(callID: 3))
        raw.send(bytes)
        let frames = await raw.readFramesOffPool { $0.callID == 3 && $0.type == .trailer }
        #expect(!frames.contains { $0.type == .goAway }, "\(frames.map(\.type))")
        #expect(frames.last?.callStatus?.code == .ok)
        try await daemon.stop()
    }

    @Test("on shutdown a connection whose only call is a Watch gets its trailer and exactly one GOAWAY (PROTOCOL §12.2)")
    func watchOnlyConnectionGetsGoAway() async throws {
        let daemon = try await TestDaemon.start()
        let raw = try RawSocket(path: daemon.daemon.unixListener.address)
        var bytes = ByteBuffer(bytes: Preface.bytes)
        bytes.writeImmutableBuffer(RawFrames.headers(callID: 1, method: "/life.v1.Health/Watch"))
        Frame.writeMessage(callID: 1, bytes: [], flags: .endStream, to: &bytes)
        raw.send(bytes)
        _ = await raw.readFramesOffPool { $0.type == .message }
        async let rest = raw.readToEndOffPool()
        await daemon.daemon.shutdown()
        let frames = parseServerBytes(Preface.bytes + (await rest.bytes)).frames  // The preface was read already.
        #expect(frames.filter { $0.type == .goAway }.count == 1, "\(frames.map(\.type))")
        #expect(frames.contains { $0.callID == 1 && $0.type == .trailer })
        try await daemon.stop()
    }

    @Test("HEADERS without a deadline and without its request is answered after limits.request_timeout; its slot is freed")
    func headersOnlyCallTimesOut() async throws {
        let daemon = try await TestDaemon.start(["limits.request_timeout=300ms"])
        let raw = try RawSocket(path: daemon.daemon.unixListener.address)
        var bytes = ByteBuffer(bytes: Preface.bytes)
        bytes.writeImmutableBuffer(RawFrames.headers(callID: 1, method: "/life.v1.Health/Check"))
        bytes.writeImmutableBuffer(RawFrames.healthCheck(callID: 3))  // Served meanwhile.
        raw.send(bytes)
        let frames = await raw.readFramesOffPool { $0.callID == 1 && $0.type == .trailer }
        #expect(frames.first { $0.callID == 3 && $0.type == .trailer }?.callStatus?.code == .ok)
        #expect(frames.last?.callStatus?.code == .deadlineExceeded)
        #expect(frames.last?.callStatus?.message.contains("request MESSAGE did not arrive") == true)
        #expect(!frames.contains { $0.type == .goAway }, "the connection goes on")
        #expect(await eventually { daemon.daemon.unixListener.openCalls == 0 })
        try await daemon.stop()
    }
}
