import LifeProto
import LifeWire
import NIOCore
import NIOTLS

/// Closes a connection whose TLS handshake and LRPC preface have not both arrived within the
/// timeout. Sits after the frame decoder and disarms on its `PrefaceReceived` event. Where the
/// transport is up (a Unix socket, or TLS after its handshake) the peer first gets a GOAWAY
/// HANDSHAKE_TIMEOUT; before a TLS handshake completes there is nobody to tell.
final class HandshakeTimeoutHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = Frame
    typealias InboundOut = Frame

    /// Sent down the pipeline when the timeout closes the connection: from then on the server
    /// sends nothing more (no SETTINGS after the GOAWAY, when admission ends late).
    struct Expired {}

    private let timeout: TimeAmount
    private let onTimeout: @Sendable () -> Void
    private var transportReady: Bool
    private var timer: Scheduled<Void>?

    /// `transportReady`: true for plain sockets; TLS connections become ready on handshake.
    init(timeout: TimeAmount, transportReady: Bool, onTimeout: @escaping @Sendable () -> Void) {
        self.timeout = timeout
        self.transportReady = transportReady
        self.onTimeout = onTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: timeout) {
            let (handler, context) = loopBound.value
            handler.expire(context: context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is FrameDecoder.PrefaceReceived {
            timer?.cancel()
            timer = nil
        } else if case TLSUserEvent.handshakeCompleted = event {
            transportReady = true
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func expire(context: ChannelHandlerContext) {
        onTimeout()
        context.fireUserInboundEventTriggered(Expired())
        guard transportReady else {
            context.close(promise: nil)
            return
        }
        var buffer = ByteBuffer()
        Frame.writeGoAway(lastCallID: 0, reason: .handshakeTimeout, message: "no LRPC preface within \(timeout)", to: &buffer)
        let channel = context.channel
        context.writeAndFlush(NIOAny(buffer)).whenComplete { _ in channel.close(promise: nil) }
    }
}
