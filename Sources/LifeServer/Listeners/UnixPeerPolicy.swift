import LifeWire

/// Which local users may use the Unix socket: the kernel reports the peer's uid and gid, and a
/// peer is admitted if either is listed. The daemon's own uid is always admitted.
public struct UnixPeerPolicy: Sendable, Hashable {
    public var allowedUIDs: Set<UInt32>
    public var allowedGIDs: Set<UInt32>

    public init(allowedUIDs: Set<UInt32>, allowedGIDs: Set<UInt32>) {
        self.allowedUIDs = allowedUIDs
        self.allowedGIDs = allowedGIDs
    }

    /// Nil if admitted, else the reason for the log.
    func refusal(for peer: UnixPeer) -> String? {
        if allowedUIDs.contains(peer.uid) || allowedGIDs.contains(peer.gid) { return nil }
        return "uid \(peer.uid) gid \(peer.gid) (pid \(peer.pid)) is not in unix.allow_users / unix.allow_groups"
    }
}
