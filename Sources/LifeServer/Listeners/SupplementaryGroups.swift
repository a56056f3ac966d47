import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// A user's groups from the group database (`getpwuid_r`, then `getgrouplist`), the way `id`
/// lists them. Both may block (NSS can ask LDAP or a network service), so they run on NIO's
/// blocking-I/O pool, never on an event loop; the reentrant lookups make them safe on any thread.
enum SupplementaryGroups {
    /// The groups of the user `uid` whose primary group is `primary`, on the blocking pool; empty
    /// when the user has no entry. Completes on `eventLoop`.
    static func lookUp(uid: UInt32, primary: UInt32, on eventLoop: any EventLoop) -> EventLoopFuture<Set<UInt32>> {
        NIOThreadPool.singleton.runIfActive(eventLoop: eventLoop) { groups(of: uid, primary: primary) }
    }

    /// The lookup itself; blocks. Debug builds stop if it is ever called on an event loop.
    static func groups(of uid: UInt32, primary: UInt32) -> Set<UInt32> {
        assert(MultiThreadedEventLoopGroup.currentEventLoop == nil, "a group database lookup must not block an event loop")
        guard let name = userName(of: uid) else { return [] }
        var count: Int32 = 64
        var groups = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(name, primary, &groups, &count) < 0 {
            // `count` now holds the number needed.
            groups = [gid_t](repeating: 0, count: Int(count))
            guard getgrouplist(name, primary, &groups, &count) >= 0 else { return [] }
        }
        return Set(groups.prefix(Int(count)))
    }

    private static func userName(of uid: UInt32) -> String? {
        var size = max(sysconf(Int32(_SC_GETPW_R_SIZE_MAX)), 1024)
        while size <= 1 << 20 {
            var buffer = [CChar](repeating: 0, count: size)
            // The entry's strings point into `buffer`: read them before it goes.
            let (status, name) = buffer.withUnsafeMutableBufferPointer { buffer -> (Int32, String?) in
                var entry = passwd()
                var result: UnsafeMutablePointer<passwd>?
                let status = getpwuid_r(uid, &entry, buffer.baseAddress!, buffer.count, &result)
                return (status, result == nil ? nil : entry.pw_name.map { String(cString: $0) })
            }
            guard status == ERANGE else { return status == 0 ? name : nil }
            size *= 2
        }
        return nil
    }
}
