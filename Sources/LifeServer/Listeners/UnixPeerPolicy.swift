import LifeWire

/// Which local users may use the Unix socket: the kernel reports the peer's uid and gid, and a
/// peer is admitted if its uid is listed, or its gid, or a supplementary group of its user (from
/// the group database, as `id` shows it: SO_PEERCRED carries only the primary gid). The daemon's
/// own uid is always admitted.
public struct UnixPeerPolicy: Sendable, Hashable {
    public var allowedUIDs: Set<UInt32>
    public var allowedGIDs: Set<UInt32>

    public init(allowedUIDs: Set<UInt32>, allowedGIDs: Set<UInt32>) {
        self.allowedUIDs = allowedUIDs
        self.allowedGIDs = allowedGIDs
    }

    /// What the kernel's credentials alone decide.
    enum Verdict: Equatable {
        case admitted
        case refused(String)
        /// Only the user's supplementary groups can tell (a lookup in the group database).
        case needsGroups
    }

    /// Admitted by uid or primary gid, refused when no group is allowed, else the groups decide.
    func verdict(for peer: UnixPeer) -> Verdict {
        if allowedUIDs.contains(peer.uid) || allowedGIDs.contains(peer.gid) { return .admitted }
        return allowedGIDs.isEmpty ? .refused(Self.refusal(peer)) : .needsGroups
    }

    /// Nil if one of `groups` (the peer's supplementary groups) is allowed, else the reason for the
    /// log.
    func refusal(for peer: UnixPeer, groups: Set<UInt32>) -> String? {
        verdict(for: peer) == .admitted || !allowedGIDs.isDisjoint(with: groups) ? nil : Self.refusal(peer)
    }

    private static func refusal(_ peer: UnixPeer) -> String {
        "uid \(peer.uid) gid \(peer.gid) (pid \(peer.pid)) is not in unix.allow_users / unix.allow_groups"
    }
}
