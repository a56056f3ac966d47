import LifeServer
import Logging

#if canImport(Glibc)
    import Glibc
#endif

extension DaemonConfig {
    /// Resolves `unix.allow_users` / `unix.allow_groups` to ids. Names that do not exist on this
    /// system admit nobody and are logged; the daemon's own uid is always admitted.
    func unixPeerPolicy(logger: Logger) -> UnixPeerPolicy {
        var uids: Set<UInt32> = [getuid()]
        var gids: Set<UInt32> = []
        for user in unixAllowUsers {
            if let uid = UInt32(user) {
                uids.insert(uid)
            } else if let entry = getpwnam(user) {
                uids.insert(entry.pointee.pw_uid)
            } else {
                logger.warning("unix.allow_users: no user named \(user) on this system")
            }
        }
        for group in unixAllowGroups {
            if let gid = UInt32(group) {
                gids.insert(gid)
            } else if let entry = getgrnam(group) {
                gids.insert(entry.pointee.gr_gid)
            } else {
                logger.warning("unix.allow_groups: no group named \(group) on this system")
            }
        }
        return UnixPeerPolicy(allowedUIDs: uids, allowedGIDs: gids)
    }
}
