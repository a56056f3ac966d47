import NIOCore

/// What a listener's child-channel initializer hands to the accept loop: the channel and the
/// connection, known once the transport has proved the peer and the listener admitted it (nil:
/// refused, or gone before that).
struct AcceptedConnection: Sendable {
    let channel: any Channel
    let connection: EventLoopFuture<ServerConnection?>
}
