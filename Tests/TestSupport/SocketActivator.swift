import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Plays systemd's part in socket activation (what PID 1 does for lifed.socket): holds a TCP
/// listening socket on 127.0.0.1 (a free port) and a Unix one, and starts a program with them as
/// descriptors 3 and 4 — `LISTEN_FDS=2`, `LISTEN_PID` its pid, `LISTEN_FDNAMES=tls:unix` — as many
/// times as asked. Between two starts the sockets stay open here, so connections queue instead of
/// being refused.
public final class SocketActivator: Sendable {
    public let tlsPort: Int
    public let unixPath: String
    private let tlsSocket: CInt
    private let unixSocket: CInt
    private let running = Mutex<pid_t?>(nil)

    public init(unixPath: String) throws {
        self.unixPath = unixPath
        let tlsSocket = try Self.listeningSocket(family: AF_INET) { descriptor in
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        var bound = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(tlsSocket, $0, &length) }
        }
        self.tlsSocket = tlsSocket
        tlsPort = Int(UInt16(bigEndian: bound.sin_port))
        unixSocket = try Self.listeningSocket(family: AF_UNIX) { descriptor in
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(unixPath.utf8)) }
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
        }
    }

    deinit {
        close(tlsSocket)
        close(unixSocket)
    }

    /// Starts `executable` with the two sockets, its output appended to `logPath`; returns its pid.
    /// `environment` is added to this process's.
    @discardableResult
    public func start(_ executable: String, _ arguments: [String], environment: [String: String], logPath: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // dup2 clears close-on-exec on the copies: the program gets exactly these two.
        posix_spawn_file_actions_adddup2(&actions, tlsSocket, 3)
        posix_spawn_file_actions_adddup2(&actions, unixSocket, 4)
        // Nothing else: a descriptor another test opened without close-on-exec (a raw socket, a
        // pipe) must not live on in the program, where it would hold a connection or an
        // end-of-file that test waits for.
        _ = spawnActionsAddCloseFrom(&actions, 5)
        var variables = ProcessInfo.processInfo.environment
        for key in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"] { variables.removeValue(forKey: key) }
        variables.merge(environment) { $1 }
        variables["LISTEN_FDS"] = "2"
        variables["LISTEN_FDNAMES"] = "tls:unix"
        // The pid is known only once the child runs: a shell sets it and becomes the program.
        let pid = try spawn(
            "/bin/sh", ["-c", "export LISTEN_PID=$$; exec \"$0\" \"$@\"", executable] + arguments, environment: variables,
            actions: &actions)
        running.withLock { $0 = pid }
        return pid
    }

    /// Sends `signal` to the program started last and waits for it to exit; returns its exit
    /// status (or 128 + the signal that killed it).
    public func stop(signal: Int32 = SIGTERM) async -> Int32 {
        guard let pid = running.withLock({ $0 }) else { return -1 }
        kill(pid, signal)
        let status = await offPool { () -> Int32 in
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            return status
        }
        running.withLock { $0 = nil }
        let signalled = status & 0x7f
        return signalled == 0 ? (status >> 8) & 0xff : 128 + signalled
    }

    private static func listeningSocket(family: Int32, bindTo: (CInt) -> Int32) throws -> CInt {
        let created = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        guard created >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        // Above 4, and close-on-exec: only the copies made for the program reach it.
        let descriptor = fcntl(created, F_DUPFD_CLOEXEC, 10)
        close(created)
        var one: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bindTo(descriptor) == 0, listen(descriptor, 4096) == 0 else {
            let error = POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            close(descriptor)
            throw error
        }
        return descriptor
    }
}
