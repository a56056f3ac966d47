import LifePKI
import LifeProto
import LifeWire
import Logging
import NIOCore
import NIOSSL
import NIOTLS

/// The last handler of a server connection's pipeline. It learns who the peer is as soon as the
/// transport proves it (the kernel's credentials on a Unix socket, the verified certificate once
/// the TLS handshake completes), asks the listener to admit it, and from then on hands every
/// frame to the `ServerConnection` on the event loop.
///
/// It is also where reading stops: once a connection is admitted, a read is held back while the
/// channel is not writable (the peer is not taking our answers) or the connection is closing,
/// and let through when the channel turns writable again. Requests a peer keeps sending then wait
/// in the kernel's socket buffers, and the peer's own writes block. Frames of a read already
/// made wait here, unhandled, while the channel is not writable, so they add no answers to the
/// queue either.
final class ServerFrameHandler: ChannelDuplexHandler {
    typealias InboundIn = Frame
    typealias OutboundIn = NIOAny

    /// Admits a peer: a connection to serve, or the reason for a GOAWAY. Completes on the
    /// channel's event loop, at once or after a lookup done elsewhere (a Unix peer's groups).
    typealias Admission = @Sendable (PeerIdentity, any Channel) -> EventLoopFuture<Result<ServerConnection, Refusal>>
    /// Reads a Unix socket peer's credentials from the kernel.
    typealias UnixCredentials = @Sendable (any Channel) -> EventLoopFuture<UnixPeer>

    struct Refusal: Error {
        let reason: Life_V1_GoAwayReason
        let message: String
    }

    private let isTLS: Bool
    private let events: PeerEventLog
    private let admit: Admission
    private let unixCredentials: UnixCredentials
    private let admitted: EventLoopPromise<ServerConnection?>
    private let logger: Logger
    private var connection: ServerConnection?
    /// A read asked for while reading was held back.
    private var readHeld = false
    /// A Unix peer is being judged: nothing is read until it is admitted, so a peer refused after
    /// a slow lookup has put nothing in memory.
    private var awaitingAdmission: Bool
    /// Frames that arrived while the channel was not writable, in order.
    private var deferred = CircularBuffer<Frame>()
    /// The handshake timeout closed the connection (GOAWAY sent, or no transport to send it on).
    private var timedOut = false

    init(
        isTLS: Bool, admitted: EventLoopPromise<ServerConnection?>, events: PeerEventLog, logger: Logger,
        unixCredentials: @escaping UnixCredentials = PeerCredentials.read, admit: @escaping Admission
    ) {
        self.isTLS = isTLS
        self.events = events
        self.awaitingAdmission = !isTLS
        self.admitted = admitted
        self.logger = logger
        self.unixCredentials = unixCredentials
        self.admit = admit
    }

    func channelActive(context: ChannelHandlerContext) {
        if !isTLS {
            let channel = context.channel
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            unixCredentials(channel).whenComplete { result in
                let (handler, context) = loopBound.value
                switch result {
                case .success(let peer): handler.start(peer: .unix(peer), context: context)
                case .failure(let error): handler.abandon(context: context, reason: "cannot read peer credentials: \(error)")
                }
            }
        }
        context.fireChannelActive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is HandshakeTimeoutHandler.Expired {
            timedOut = true
        } else if case TLSUserEvent.handshakeCompleted = event {
            do {
                start(peer: try Self.tlsPeer(of: context.channel), context: context)
            } catch {
                abandon(context: context, reason: "no usable client certificate: \(error)")
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Refused or closing: the rest is ignored until the close.
        guard let connection, !connection.isClosing else { return }
        let frame = unwrapInboundIn(data)
        if deferred.isEmpty, context.channel.isWritable {
            handle(frame, on: connection)
        } else {
            deferred.append(frame)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        connection?.noteActivity()
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        let writable = context.channel.isWritable
        if let connection {
            connection.writabilityChanged(to: writable)
            while context.channel.isWritable, !connection.isClosing, let frame = deferred.popFirst() {
                handle(frame, on: connection)
            }
            if context.channel.isWritable, deferred.isEmpty, readHeld, !connection.isClosing {
                readHeld = false
                context.read()
            }
        }
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if connection == nil, awaitingAdmission {
            readHeld = true
        } else if let connection, !context.channel.isWritable || !deferred.isEmpty || connection.isClosing {
            readHeld = true
        } else {
            context.read()
        }
    }

    private func handle(_ frame: Frame, on connection: ServerConnection) {
        do {
            try connection.handle(frame)
        } catch let error as WireError {
            connection.fail(error)
        } catch {
            connection.fail(.protocolViolation("\(error)"))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let wireError = error as? WireError, let connection {
            connection.fail(wireError)
        } else if connection == nil {
            abandon(context: context, reason: "\(error)")
        } else {
            events.note(.connectionEnded, "connection failed: \(error)", logger: logger)
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        admitted.succeed(nil)  // No effect if the connection was admitted already.
        context.fireChannelInactive()
    }

    private func start(peer: PeerIdentity, context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        admit(peer, context.channel).whenComplete { result in
            let (handler, context) = loopBound.value
            switch result {
            case .success(let decision): handler.finishAdmission(decision, context: context)
            case .failure(let error): handler.abandon(context: context, reason: "cannot admit the peer: \(error)")
            }
        }
    }

    private func finishAdmission(_ decision: Result<ServerConnection, Refusal>, context: ChannelHandlerContext) {
        // Gone, or timed out, while it was judged: an admitted connection leaves the registry as
        // it closes, and nothing may follow the timeout's GOAWAY.
        guard context.channel.isActive, !timedOut else {
            admitted.succeed(nil)
            return
        }
        switch decision {
        case .success(let connection):
            self.connection = connection
            awaitingAdmission = false
            connection.greet()
            admitted.succeed(connection)
            if readHeld {
                readHeld = false
                read(context: context)
            }
        case .failure(let refusal):
            var buffer = ByteBuffer()
            Preface.write(to: &buffer)
            Frame.writeGoAway(lastCallID: 0, reason: refusal.reason, message: refusal.message, to: &buffer)
            let channel = context.channel
            context.writeAndFlush(NIOAny(buffer)).whenComplete { _ in channel.close(promise: nil) }
            admitted.succeed(nil)
        }
    }

    private func abandon(context: ChannelHandlerContext, reason: String) {
        events.handshakeFailed(.tlsError, "connection refused during handshake", metadata: ["reason": "\(reason)"], logger: logger)
        admitted.succeed(nil)
        context.close(promise: nil)
    }

    private static func tlsPeer(of channel: any Channel) throws -> PeerIdentity {
        guard let presented = try channel.pipeline.syncOperations.nioSSL_peerCertificate() else {
            throw NIOSSLError.noCertificateToValidate
        }
        let der = try presented.toDERBytes()
        let facts = try CertificateFacts(derEncoded: der)
        return .tls(
            TLSPeer(
                fingerprint: facts.fingerprintSHA256,
                subject: facts.subject,
                serialNumber: facts.serialNumberHex,
                remoteAddress: channel.remoteAddress?.logDescription ?? "unknown",
                certificateDER: der
            )
        )
    }
}
