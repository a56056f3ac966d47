import LifeServer
import NIOCore
import NIOSSL
import NIOTLS
import Synchronization

/// Holds the first TLS connection between the server's verification of its client certificate
/// and its admission: the handshake-completed event (and whatever the client sends after it)
/// waits until `release()`. A test reloads in that moment, as a SIGHUP may land there.
public final class AdmissionHold: Sendable {
    private struct State {
        var armed = true
        var held: NIOLoopBound<Handler>?
    }

    private let state = Mutex(State())

    public init() {}

    /// Whether a connection is held now.
    public var isHolding: Bool { state.withLock { $0.held != nil } }

    /// The setup hook: puts the hold right behind the TLS handler of the first connection.
    public var hook: Listener.SetupHook {
        { channel in
            let arm = self.state.withLock { state in
                defer { state.armed = false }
                return state.armed
            }
            guard arm, channel.localAddress?.port != nil else { return }
            // The TLS handler is added after the hook returns, in the same setup.
            channel.eventLoop.execute {
                let operations = channel.pipeline.syncOperations
                guard let tls = try? operations.handler(type: NIOSSLServerHandler.self) else { return }
                let handler = Handler { handler, eventLoop in
                    self.state.withLock { $0.held = NIOLoopBound(handler, eventLoop: eventLoop) }
                }
                try? operations.addHandler(handler, position: .after(tls))
            }
        }
    }

    /// Lets the held connection go on to its admission.
    public func release() {
        guard let held = state.withLock({ $0.held }) else { return }
        held.eventLoop.execute { held.value.release() }
    }

    final class Handler: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = NIOAny

        private let reached: (Handler, any EventLoop) -> Void
        private var context: ChannelHandlerContext?
        private var holding = false
        private var held: [(ChannelHandlerContext) -> Void] = []

        init(reached: @escaping (Handler, any EventLoop) -> Void) {
            self.reached = reached
        }

        func handlerAdded(context: ChannelHandlerContext) { self.context = context }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if case TLSUserEvent.handshakeCompleted = event {
                holding = true
                held.append { $0.fireUserInboundEventTriggered(event) }
                reached(self, context.eventLoop)
            } else if holding {
                held.append { $0.fireUserInboundEventTriggered(event) }
            } else {
                context.fireUserInboundEventTriggered(event)
            }
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            if holding { held.append { $0.fireChannelRead(data) } } else { context.fireChannelRead(data) }
        }

        func channelReadComplete(context: ChannelHandlerContext) {
            if holding { held.append { $0.fireChannelReadComplete() } } else { context.fireChannelReadComplete() }
        }

        func release() {
            guard let context, holding else { return }
            holding = false
            let pending = held
            held = []
            for event in pending { event(context) }
        }
    }
}
