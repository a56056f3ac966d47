import LifeClient
import LifeProto
import LifeWire
import NIOCore
import TestSupport
import Testing

/// Errors of one call get a trailer with the right status; the connection stays usable.
@Suite("Call-level errors")
struct CallErrorTests {
    private static let unknownMethod = MethodDescriptor(service: "life.v1.Nowhere", method: "Nothing", kind: .unary)

    @Test("an unknown method answers UNIMPLEMENTED and the connection goes on")
    func unimplemented() async throws {
        let daemon = try await TestDaemon.start()
        try await LifeClient.withConnection(to: daemon.unixEndpoint) { client in
            let error = await #expect(throws: RPCError.self) {
                _ = try await client.connection.unary(
                    Self.unknownMethod,
                    request: Life_V1_HealthCheckRequest(),
                    responseType: Life_V1_HealthCheckResponse.self,
                    options: CallOptions()
                )
            }
            #expect(error?.code == .unimplemented)
            let checked1 = try await client.health.check(.init()).status
            #expect(checked1 == .serving)
        }
        try await daemon.stop()
    }

    @Test("a request that does not parse answers INVALID_ARGUMENT")
    func invalidRequest() async throws {
        let daemon = try await TestDaemon.start()
        let raw = try RawSocket(path: daemon.daemon.unixListener.address)
        var bytes = ByteBuffer(bytes: Preface.bytes)
        bytes.writeImmutableBuffer(RawFrames.headers(callID: 1, method: "/life.v1.Health/Check"))
        Frame.writeMessage(callID: 1, bytes: [0x0A, 0xFF], flags: .endStream, to: &bytes)  // field 1, length 255: truncated
        raw.send(bytes)
        let frames = await raw.readFramesOffPool { $0.type == .trailer }
        #expect(frames.last?.callStatus?.code == .invalidArgument)
        try await daemon.stop()
    }

    @Test("an unknown service in Health.Check answers NOT_FOUND")
    func unknownService() async throws {
        let daemon = try await TestDaemon.start()
        try await LifeClient.withConnection(to: daemon.unixEndpoint) { client in
            var request = Life_V1_HealthCheckRequest()
            request.service = "life.v1.Nothing"
            let error = await #expect(throws: RPCError.self) { _ = try await client.health.check(request) }
            #expect(error?.code == .notFound)
        }
        try await daemon.stop()
    }

    @Test("calls beyond max_concurrent_calls get RESOURCE_EXHAUSTED; the open ones go on")
    func concurrencyLimit() async throws {
        let daemon = try await TestDaemon.start(["limits.max_concurrent_calls=2"])
        try await LifeClient.withConnection(to: daemon.unixEndpoint) { client in
            let first = try await client.health.watch(.init())
            let second = try await client.health.watch(.init())
            var firstIterator = first.makeAsyncIterator()
            var secondIterator = second.makeAsyncIterator()
            let checked2 = try await firstIterator.next()?.status
            #expect(checked2 == .serving)
            let checked3 = try await secondIterator.next()?.status
            #expect(checked3 == .serving)
            let error = await #expect(throws: RPCError.self) { _ = try await client.health.check(.init()) }
            #expect(error?.code == .resourceExhausted)
        }
        try await daemon.stop()
    }

    @Test("a call header over max_header_size gets RESOURCE_EXHAUSTED")
    func headerLimit() async throws {
        let daemon = try await TestDaemon.start(["limits.max_header_size=512"])
        try await LifeClient.withConnection(to: daemon.unixEndpoint) { client in
            let error = await #expect(throws: RPCError.self) {
                _ = try await client.health.check(.init(), metadata: ["x-padding": String(repeating: "a", count: 2000)])
            }
            #expect(error?.code == .resourceExhausted)
            let checked4 = try await client.health.check(.init()).status
            #expect(checked4 == .serving)
        }
        try await daemon.stop()
    }

    @Test("metadata keys must be lower-case ASCII")
    func metadataKeys() async throws {
        let daemon = try await TestDaemon.start()
        try await LifeClient.withConnection(to: daemon.unixEndpoint) { client in
            let error = await #expect(throws: RPCError.self) {
                _ = try await client.health.check(.init(), metadata: ["Authorization": "x"])
            }
            #expect(error?.code == .invalidArgument)
        }
        try await daemon.stop()
    }

    @Test("a request over the server's frame limit fails alone, before it is sent")
    func requestTooLarge() async throws {
        let daemon = try await TestDaemon.start(["limits.max_frame_size=1024", "limits.max_header_size=512"])
        try await LifeClient.withConnection(to: daemon.unixEndpoint) { client in
            var request = Life_V1_HealthCheckRequest()
            request.service = String(repeating: "x", count: 2000)
            let error = await #expect(throws: RPCError.self) { _ = try await client.health.check(request) }
            #expect(error?.code == .resourceExhausted)
            let status = try await client.health.check(.init()).status
            #expect(status == .serving)
        }
        try await daemon.stop()
    }
}
