import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus
import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The Prometheus scrape endpoint (`metrics.listen`): a local-only listener whose connections
/// each get one answer from `MetricsRequestHandler`. Small and strict: a few connections at a
/// time, a few KiB per request, a few seconds per connection. Bound by `bind`; `run()` serves
/// until graceful shutdown, then closes the socket (and removes a Unix socket's file).
public final class MetricsEndpoint: Service, Sendable {
    /// How much one scraper may hold.
    public struct Limits: Sendable {
        /// Connections open at once; more are closed at accept.
        public var maxConnections = 8
        /// Bytes one connection may send (its request line and headers).
        public var maxRequestBytes = 8192
        /// How long one connection may stay open, request and answer included.
        public var timeout: TimeAmount = .seconds(10)

        public init() {}
    }

    /// Where it listens, the port resolved when 0 was asked for.
    public let address: MetricsAddress
    private let channel: any Channel
    private let cleanup: @Sendable () -> Void

    private init(address: MetricsAddress, channel: any Channel, cleanup: @escaping @Sendable () -> Void) {
        self.address = address
        self.channel = channel
        self.cleanup = cleanup
    }

    /// Binds `address`. Each scrape first runs `beforeScrape` (to set gauges read at scrape time),
    /// then emits `registry`. A Unix socket gets mode 0660.
    public static func bind(
        _ address: MetricsAddress,
        registry: PrometheusCollectorRegistry,
        beforeScrape: @escaping @Sendable () -> Void = {},
        limits: Limits = Limits(),
        group: any EventLoopGroup,
        logger: Logger
    ) async throws -> MetricsEndpoint {
        let open = Mutex(0)
        let scrape: @Sendable () -> [UInt8] = {
            beforeScrape()
            return registry.emitToBuffer()
        }
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 16)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                let admitted = open.withLock { count in
                    guard count < limits.maxConnections else { return false }
                    count += 1
                    return true
                }
                guard admitted else {
                    logger.notice("metrics connection refused: \(limits.maxConnections) already open")
                    return channel.close()
                }
                channel.closeFuture.whenComplete { _ in open.withLock { $0 -= 1 } }
                return channel.eventLoop.makeCompletedFuture {
                    let operations = channel.pipeline.syncOperations
                    try operations.addHandler(RequestSizeLimit(limit: limits.maxRequestBytes))
                    try operations.addHandler(HTTPResponseEncoder())
                    try operations.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
                    try operations.addHandler(MetricsRequestHandler(timeout: limits.timeout, scrape: scrape))
                }
            }
        switch address {
        case .unix(let path):
            let channel = try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).get()
            guard chmod(path, 0o660) == 0 else {
                let reason = String(cString: strerror(errno))
                try? await channel.close()
                throw MetricsEndpointError(description: "cannot set mode of \(path) (metrics.listen): \(reason)")
            }
            return MetricsEndpoint(address: address, channel: channel, cleanup: { unlink(path) })
        case .tcp(let host, let port):
            let channel = try await bootstrap.bind(host: host, port: port).get()
            return MetricsEndpoint(address: .tcp(host: host, port: channel.localAddress?.port ?? port), channel: channel, cleanup: {})
        }
    }

    /// The bound TCP port; nil on a Unix socket.
    public var port: Int? {
        if case .tcp(_, let port) = address { return port }
        return nil
    }

    public func run() async throws {
        try? await gracefulShutdown()
        await close()
    }

    /// Stops listening (also when the daemon fails to start after binding this).
    public func close() async {
        try? await channel.close()
        cleanup()
    }
}

/// The endpoint could not be set up.
public struct MetricsEndpointError: Error, CustomStringConvertible, Sendable {
    public let description: String
}
