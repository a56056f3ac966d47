import Crypto
import LifeWire
import NIOCore
import NIOSSL
import NIOTLS
import X509

/// Waits for the TLS handshake and turns the verified client certificate into the connection's
/// `PeerIdentity`. Fails the promise if the handshake fails or the connection ends first.
final class TLSPeerHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let promise: EventLoopPromise<PeerIdentity>

    init(promise: EventLoopPromise<PeerIdentity>) {
        self.promise = promise
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event {
            do {
                promise.succeed(try peer(of: context.channel))
            } catch {
                promise.fail(error)
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(ChannelError.eof)
        context.fireChannelInactive()
    }

    private func peer(of channel: Channel) throws -> PeerIdentity {
        guard let presented = try channel.pipeline.syncOperations.nioSSL_peerCertificate() else {
            throw NIOSSLError.noCertificateToValidate
        }
        let der = try presented.toDERBytes()
        let certificate = try Certificate(derEncoded: der)
        return .tls(
            TLSPeer(
                fingerprint: SHA256.hash(data: der).hexString,
                subject: String(describing: certificate.subject),
                serialNumber: String(describing: certificate.serialNumber),
                remoteAddress: channel.remoteAddress?.logDescription ?? "unknown"
            )
        )
    }
}

extension Sequence<UInt8> {
    /// Lower-case hex, two digits a byte.
    var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
