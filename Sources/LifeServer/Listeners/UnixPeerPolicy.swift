import LifeWire

#if canImport(Glibc)
    import Glibc
#endif

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

    /// Nil if admitted, else the reason for the log.
    func refusal(for peer: UnixPeer) -> String? {
        if allowedUIDs.contains(peer.uid) || allowedGIDs.contains(peer.gid) { return nil }
        if !allowedGIDs.isDisjoint(with: Self.supplementaryGroups(of: peer.uid, primary: peer.gid)) { return nil }
        return "uid \(peer.uid) gid \(peer.gid) (pid \(peer.pid)) is not in unix.allow_users / unix.allow_groups"
    }

    private static func supplementaryGroups(of uid: UInt32, primary: UInt32) -> Set<UInt32> {
        guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return [] }
        var count: Int32 = 64
        var groups = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(name, primary, &groups, &count) < 0 {
            groups = [gid_t](repeating: 0, count: Int(count))
            guard getgrouplist(name, primary, &groups, &count) >= 0 else { return [] }
        }
        return Set(groups.prefix(Int(count)))
    }
}
