import NIOCore

extension SocketAddress {
    /// `203.0.113.5:51234`, `[2001:db8::1]:51234`, or the socket path (`unix peer` for a
    /// client's unnamed socket).
    var logDescription: String {
        switch self {
        case .v4: "\(ipAddress ?? "?"):\(port ?? 0)"
        case .v6: "[\(ipAddress ?? "?")]:\(port ?? 0)"
        case .unixDomainSocket: pathname.flatMap { $0.isEmpty ? nil : $0 } ?? "unix peer"
        }
    }
}
