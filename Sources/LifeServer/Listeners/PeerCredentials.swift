import LifeWire
import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

/// Reads SO_PEERCRED of a Unix socket channel. Mirrors Glibc's `struct ucred`, which Swift
/// does not import.
enum PeerCredentials {
    private struct UCred: Sendable {
        var pid: Int32 = 0
        var uid: UInt32 = 0
        var gid: UInt32 = 0
    }

    static func read(from channel: Channel) -> EventLoopFuture<UnixPeer> {
        guard let provider = channel as? SocketOptionProvider else {
            return channel.eventLoop.makeFailedFuture(ChannelError.operationUnsupported)
        }
        let future: EventLoopFuture<UCred> = provider.unsafeGetSocketOption(
            level: .socket,
            name: NIOBSDSocket.Option(rawValue: SO_PEERCRED)
        )
        return future.map { UnixPeer(pid: $0.pid, uid: $0.uid, gid: $0.gid) }
    }
}
