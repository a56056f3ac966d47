import NIOCore
import NIOHTTP1

/// Answers one HTTP/1.1 request per connection, then closes it: `GET /metrics` gets the scrape,
/// any other path 404, any other method 405. Nothing else is spoken (no keep-alive, no
/// pipelining, no body read); the connection's size and time limits are `RequestSizeLimit` and
/// the deadline set here.
final class MetricsRequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    static let path = "/metrics"
    /// The Prometheus text exposition format.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private let scrape: @Sendable () -> [UInt8]
    private let timeout: TimeAmount
    private var head: HTTPRequestHead?
    private var answered = false
    private var deadline: Scheduled<Void>?

    init(timeout: TimeAmount, scrape: @escaping @Sendable () -> [UInt8]) {
        self.timeout = timeout
        self.scrape = scrape
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
        case .body:
            break
        case .end:
            guard let head, !answered else { return }
            answered = true
            respond(to: head, context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A request that does not parse gets no answer: the peer is not a Prometheus server.
        context.close(promise: nil)
    }

    private func respond(to request: HTTPRequestHead, context: ChannelHandlerContext) {
        var headers = HTTPHeaders([("Connection", "close")])
        let status: HTTPResponseStatus
        let body: [UInt8]
        if request.method != .GET {
            (status, body) = (.methodNotAllowed, Array("only GET is served\n".utf8))
            headers.add(name: "Allow", value: "GET")
            headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        } else if request.uri != Self.path {
            (status, body) = (.notFound, Array("not found: only \(Self.path) is served\n".utf8))
            headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        } else {
            (status, body) = (.ok, scrape())
            headers.add(name: "Content-Type", value: Self.contentType)
        }
        headers.add(name: "Content-Length", value: "\(body.count)")
        let version = HTTPVersion(major: 1, minor: 1)
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}
