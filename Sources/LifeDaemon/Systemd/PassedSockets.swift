import Foundation
import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

/// Listening sockets handed over by systemd (socket activation, sd_listen_fds(3)): descriptors
/// 3, 4, … as `LISTEN_FDS` counts them, meant for this process when `LISTEN_PID` is its pid, named
/// by `LISTEN_FDNAMES` (the `.socket` unit's `FileDescriptorName=`). Because the socket belongs to
/// systemd, it stays open and keeps queueing connections while lifed restarts.
public struct PassedSockets: Sendable {
    /// One passed listening socket.
    public struct Socket: Sendable, CustomStringConvertible {
        public let descriptor: CInt
        /// `LISTEN_FDNAMES`' entry for it; systemd's default is the socket unit's name.
        public let name: String
        /// Where it listens.
        public let address: SocketAddress

        public var isUnix: Bool {
            if case .unixDomainSocket = address { return true }
            return false
        }

        public var description: String { "fd \(descriptor) \"\(name)\" (\(address.listenerDescription))" }
    }

    /// The passed sockets matched to lifed's two listeners.
    public struct Assignment: Sendable {
        public var unix: Socket?
        public var tls: Socket?
        /// Differences from the configuration worth an operator's attention.
        public var warnings: [String] = []
    }

    public let sockets: [Socket]

    public static let none = PassedSockets(sockets: [])

    public init(sockets: [Socket]) {
        self.sockets = sockets
    }

    /// The sockets systemd passed to this process, if any; removes `LISTEN_PID`, `LISTEN_FDS` and
    /// `LISTEN_FDNAMES` from the environment (as `sd_listen_fds(1)` does) so no child inherits them.
    /// Throws when a passed descriptor is not a listening stream socket.
    public static func takeFromEnvironment() throws -> PassedSockets {
        let environment = ProcessInfo.processInfo.environment
        defer {
            for key in ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"] { unsetenv(key) }
        }
        return try PassedSockets(environment: environment, pid: getpid())
    }

    /// Reads the sockets `environment` announces for process `pid`; none when the variables are
    /// missing or name another process.
    public init(environment: [String: String], pid: pid_t) throws {
        guard let listenPID = environment["LISTEN_PID"], listenPID == String(pid),
            let count = environment["LISTEN_FDS"].flatMap(Int.init), count > 0
        else {
            self.init(sockets: [])
            return
        }
        let names = environment["LISTEN_FDNAMES"].map { $0.split(separator: ":", omittingEmptySubsequences: false).map(String.init) } ?? []
        var sockets: [Socket] = []
        for index in 0..<count {
            let descriptor = Self.firstDescriptor + CInt(index)
            // Not for the programs lifed might start.
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
            let name = index < names.count ? names[index] : "unknown"
            sockets.append(Socket(descriptor: descriptor, name: name, address: try Self.listeningAddress(of: descriptor, name: name)))
        }
        self.init(sockets: sockets)
    }

    /// Matches the passed sockets to the listeners: a socket named `unix` or `tls` goes to that
    /// listener; any other name goes by its kind (a Unix socket to the admin listener, a TCP one to
    /// TLS). A listener with no passed socket binds its own (`unixPath`, `tlsListen`).
    public func assign(unixPath: String, tlsListen: (host: String, port: Int)?) throws -> Assignment {
        var assignment = Assignment()
        for socket in sockets {
            let wantsUnix =
                switch socket.name {
                case "unix": true
                case "tls": false
                default: socket.isUnix
                }
            guard wantsUnix == socket.isUnix else {
                throw PassedSocketsError(
                    description:
                        "socket \(socket) is named for the \(wantsUnix ? "Unix" : "TLS") listener but is not a \(wantsUnix ? "Unix" : "TCP") socket"
                )
            }
            if wantsUnix {
                if let first = assignment.unix { throw PassedSocketsError(description: "two Unix sockets passed: \(first) and \(socket)") }
                if socket.address.pathname != unixPath {
                    assignment.warnings.append(
                        "serving the admin socket passed by systemd at \(socket.address.listenerDescription), not unix.path \(unixPath): lifectl finds the daemon by unix.path"
                    )
                }
                assignment.unix = socket
            } else {
                if let first = assignment.tls { throw PassedSocketsError(description: "two TCP sockets passed: \(first) and \(socket)") }
                guard let tlsListen else {
                    throw PassedSocketsError(description: "socket \(socket) was passed for TLS but tls.listen is empty")
                }
                if tlsListen.port != 0, socket.address.port != tlsListen.port {
                    assignment.warnings.append(
                        "serving TLS on the socket passed by systemd, \(socket.address.listenerDescription), not tls.listen \(tlsListen.host):\(tlsListen.port)"
                    )
                }
                assignment.tls = socket
            }
        }
        return assignment
    }

    /// SD_LISTEN_FDS_START.
    static let firstDescriptor: CInt = 3

    private static func listeningAddress(of descriptor: CInt, name: String) throws -> SocketAddress {
        func option(_ name: CInt) -> CInt? {
            var value: CInt = 0
            var length = socklen_t(MemoryLayout<CInt>.size)
            return getsockopt(descriptor, SOL_SOCKET, name, &value, &length) == 0 ? value : nil
        }
        guard option(SO_TYPE) == CInt(SOCK_STREAM.rawValue), option(SO_ACCEPTCONN) == 1 else {
            throw PassedSocketsError(description: "passed descriptor \(descriptor) (\"\(name)\") is not a listening stream socket")
        }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard result == 0 else {
            throw PassedSocketsError(
                description: "passed descriptor \(descriptor): getsockname failed: \(String(cString: strerror(errno)))")
        }
        let family = CInt(storage.ss_family)
        return try withUnsafePointer(to: storage) { pointer in
            switch family {
            case AF_UNIX: return pointer.withMemoryRebound(to: sockaddr_un.self, capacity: 1) { SocketAddress($0.pointee) }
            case AF_INET: return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { SocketAddress($0.pointee) }
            case AF_INET6: return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { SocketAddress($0.pointee) }
            default:
                throw PassedSocketsError(description: "passed descriptor \(descriptor) (\"\(name)\") is neither a Unix nor a TCP socket")
            }
        }
    }
}

/// Sockets passed by systemd that lifed cannot use.
public struct PassedSocketsError: Error, CustomStringConvertible {
    public let description: String
}

extension SocketAddress {
    /// The socket path, or host:port.
    fileprivate var listenerDescription: String {
        switch self {
        case .v4: "\(ipAddress ?? "?"):\(port ?? 0)"
        case .v6: "[\(ipAddress ?? "?")]:\(port ?? 0)"
        case .unixDomainSocket: pathname ?? "?"
        }
    }
}
