import LifeWire
import NIOCore
import NIOSSL

/// Feeds the frames a server sends to its `ClientConnection`, on the event loop, and ends the
/// connection's calls when the channel fails or closes. Holds back reads while a stream's
/// consumer has a full buffer; the connection asks for a read again once it has caught up.
final class ClientFrameHandler: ChannelDuplexHandler {
    typealias InboundIn = Frame
    typealias OutboundIn = NIOAny

    private let connection: ClientConnection

    init(connection: ClientConnection) {
        self.connection = connection
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        do {
            try connection.handle(unwrapInboundIn(data))
        } catch let error as RPCError {
            connection.end(error)
            context.close(promise: nil)
        } catch {
            connection.end(RPCError(.unavailable, "server broke the protocol: \(error)"))
            context.close(promise: nil)
        }
    }

    func read(context: ChannelHandlerContext) {
        if !connection.isReadingPaused { context.read() }
    }

    /// The `RPCError.reason` of a TLS handshake the server refused (its certificate check, say),
    /// as opposed to a connection that ended during the handshake.
    static let tlsHandshakeFailedReason = "TLS_HANDSHAKE_FAILED"

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        var reason = ""
        if case NIOSSLError.handshakeFailed = error { reason = Self.tlsHandshakeFailedReason }
        connection.end(RPCError(.unavailable, "connection failed: \(error)", reason: reason))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        connection.end(RPCError(.unavailable, "connection closed by the server"))
        context.fireChannelInactive()
    }
}
