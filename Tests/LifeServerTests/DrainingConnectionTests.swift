import LifeProto
import LifeWire
import Logging
import NIOCore
import NIOEmbedded
import Testing

@testable import LifeServer

/// A draining connection closes once its last call ends, also when that call ends before its
/// request arrived. (Found by Fuzz/FuzzConnection: such a connection stayed open after its
/// GOAWAY(SHUTDOWN) until the idle timeout, or the shutdown's grace period, ended it.)
@Suite("draining connections")
struct DrainingConnectionTests {
    /// How the one open call ends, before its request MESSAGE comes.
    enum Ending: String, CaseIterable, CustomTestStringConvertible {
        case requestTimeout = "the request timeout"
        case deadline = "its deadline"
        case clientCancel = "the client's CANCEL"
        var testDescription: String { rawValue }
    }

    @Test("closes when the last call ends before its request", arguments: Ending.allCases)
    func closesAfterLastCallWithoutRequest(_ ending: Ending) async throws {
        var limits = ConnectionLimits()
        limits.requestTimeout = .seconds(2)
        limits.idleTimeout = .zero
        limits.keepaliveInterval = .zero
        var router = RPCRouter()
        router.registerUnary(MethodDescriptor(service: "test.Drain", method: "Call", kind: .unary)) {
            (_: Life_V1_HealthCheckRequest, _) in Life_V1_HealthCheckResponse()
        }
        let loop = NIOAsyncTestingEventLoop()
        let channel = NIOAsyncTestingChannel(loop: loop)
        let connection = try await loop.executeInContext { [router, limits] in
            try DetachedConnection(
                channel: channel, credentials: UnixPeer(pid: 1, uid: 0, gid: 0), router: router, limits: limits,
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        }
        let served = Task { await connection.run() }
        try await channel.connect(to: SocketAddress(unixDomainSocketPath: "/test")).get()

        var hello = ByteBuffer()
        Preface.write(to: &hello)
        var header = Life_V1_CallHeader()
        header.method = "/test.Drain/Call"
        header.timeoutMs = ending == .deadline ? 100 : 0
        try Frame.writeHeaders(callID: 1, header: header, to: &hello)
        try await channel.writeInbound(hello)
        connection.drain()
        await loop.run()
        #expect(channel.isActive, "the call is still open")

        switch ending {
        case .requestTimeout:
            await loop.advanceTime(by: .seconds(3))
        case .deadline:
            await loop.advanceTime(by: .milliseconds(200))
        case .clientCancel:
            var cancel = ByteBuffer()
            Frame.write(type: .cancel, callID: 1, payload: [UInt8](), to: &cancel)
            try await channel.writeInbound(cancel)
        }
        await loop.run()
        try #require(!channel.isActive, "drained and without calls, the connection closes")

        var written = ByteBuffer()
        while var bytes = try await channel.readOutbound(as: ByteBuffer.self) { written.writeBuffer(&bytes) }
        written.moveReaderIndex(forwardBy: Preface.length)
        var frames: [Frame] = []
        while let frame = try FrameDecoder.readFrame(from: &written, maxFrameSize: limits.maxFrameSize) { frames.append(frame) }
        #expect(frames.map(\.type) == [.settings, .goAway] + (ending == .clientCancel ? [] : [.trailer]))
        await served.value
        #expect(connection.connectionCount == 0 && connection.openCalls == 0)
        await loop.shutdownGracefully()
    }
}
