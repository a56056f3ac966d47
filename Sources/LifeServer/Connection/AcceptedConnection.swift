import LifeWire
import NIOCore

/// What a listener's child-channel initializer hands to the accept loop: the framed channel and
/// the peer's identity, known once the transport has proved it (the TLS handshake completed, or
/// the kernel reported the Unix peer's credentials).
struct AcceptedConnection: Sendable {
    let channel: NIOAsyncChannel<Frame, ByteBuffer>
    let peer: EventLoopFuture<PeerIdentity>
}
