import NIOCore
import NIOPosix
import NIOSSL

/// Drives the echo floor: each connection keeps `inFlight` 100-byte frames outstanding until
/// the end time, re-sending as each echo returns.
enum EchoLoad {
    static func run(
        endpoint: Endpoint,
        connections: Int,
        inFlight: Int,
        duration: Duration,
        recordLatency: Bool
    ) async throws -> LatencyStats {
        let group = MultiThreadedEventLoopGroup.singleton
        let end = ContinuousClock.now + duration
        var futures: [EventLoopFuture<LatencyStats>] = []
        let start = ContinuousClock.now
        for _ in 0..<connections {
            let bootstrap = ClientBootstrap(group: group)
            let channel: Channel
            switch endpoint {
            case .unix(let path):
                channel = try await bootstrap.connect(unixDomainSocketPath: path).get()
            case .tls(let host, let port, let context):
                channel =
                    try await bootstrap
                    .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: nil))
                        }
                    }
                    .connect(host: host, port: port).get()
            }
            let promise = channel.eventLoop.makePromise(of: LatencyStats.self)
            try await channel.eventLoop.submit {
                try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LengthPrefixedDecoder()))
                try channel.pipeline.syncOperations.addHandler(
                    EchoLoadHandler(inFlight: inFlight, end: end, recordLatency: recordLatency, done: promise)
                )
            }.get()
            futures.append(promise.futureResult)
        }
        var total = LatencyStats()
        for future in futures { total.merge(try await future.get()) }
        total.elapsed = start.duration(to: .now)
        return total
    }

    enum Endpoint {
        case unix(String)
        case tls(host: String, port: Int, context: NIOSSLContext)
    }
}

final class EchoLoadHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let inFlight: Int
    private let end: ContinuousClock.Instant
    private let recordLatency: Bool
    private let done: EventLoopPromise<LatencyStats>
    private var stats = LatencyStats()
    private var sentAt: [ContinuousClock.Instant] = []
    private var outstanding = 0
    private let frame: ByteBuffer

    init(inFlight: Int, end: ContinuousClock.Instant, recordLatency: Bool, done: EventLoopPromise<LatencyStats>) {
        self.inFlight = inFlight
        self.end = end
        self.recordLatency = recordLatency
        self.done = done
        var frame = ByteBuffer()
        frame.writeInteger(UInt32(100))
        frame.writeBytes(Array(repeating: 0x61, count: 100))
        self.frame = frame
    }

    func handlerAdded(context: ChannelHandlerContext) {
        for _ in 0..<inFlight { send(context) }
        context.flush()
    }

    private func send(_ context: ChannelHandlerContext) {
        if recordLatency { sentAt.append(.now) }
        outstanding += 1
        context.write(wrapOutboundOut(frame), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        outstanding -= 1
        stats.calls += 1
        if recordLatency { stats.samples.append(sentAt.removeFirst().nanosecondsSince) }
        if ContinuousClock.now < end {
            send(context)
        } else if outstanding == 0 {
            done.succeed(stats)
            context.close(promise: nil)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        done.succeed(stats)
    }
}
