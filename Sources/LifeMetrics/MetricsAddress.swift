#if canImport(Glibc)
    import Glibc
#endif

/// Where the scrape endpoint listens (`metrics.listen`): a Unix socket, or a TCP port on a
/// loopback address. Anything reachable from another machine is refused: the metrics tell
/// who fails to log in and how busy the server is, and the endpoint has no authentication.
public enum MetricsAddress: Sendable, Equatable, CustomStringConvertible {
    case unix(path: String)
    case tcp(host: String, port: Int)

    /// Why a `metrics.listen` value cannot be used.
    public struct Refusal: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Parses `unix:/absolute/path`, `127.0.0.1:PORT` (any 127.0.0.0/8 address) or `[::1]:PORT`.
    /// Host names are refused too (`localhost` may resolve elsewhere): only a literal loopback
    /// address is local for certain.
    public init(parsing value: String) throws(Refusal) {
        if value.hasPrefix("unix:") {
            let path = String(value.dropFirst("unix:".count))
            guard path.hasPrefix("/") else { throw Refusal(description: "expected unix:/absolute/path, got `\(value)`") }
            self = .unix(path: path)
            return
        }
        guard let colon = value.lastIndex(of: ":"), let port = Int(value[value.index(after: colon)...]), (0...65535).contains(port)
        else {
            throw Refusal(description: "expected unix:/path, 127.0.0.1:PORT or [::1]:PORT, got `\(value)`")
        }
        var host = String(value[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard Self.isLoopback(host) else {
            throw Refusal(
                description:
                    "`\(host)` is not a loopback address: the metrics listener is local only (unix:/path, 127.0.0.1:PORT or [::1]:PORT)")
        }
        self = .tcp(host: host, port: port)
    }

    /// A literal IPv4 address in 127.0.0.0/8, or IPv6 ::1.
    static func isLoopback(_ host: String) -> Bool {
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            return UInt32(bigEndian: v4.s_addr) >> 24 == 127
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { bytes in bytes.dropLast().allSatisfy { $0 == 0 } && bytes.last == 1 }
        }
        return false
    }

    public var description: String {
        switch self {
        case .unix(let path): "unix:\(path)"
        case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        }
    }
}
