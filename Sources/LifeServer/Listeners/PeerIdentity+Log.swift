import LifeWire

extension PeerIdentity {
    /// Who the peer is, for log lines: uid/pid on the Unix socket, certificate fingerprint prefix
    /// and address over TLS. Never anything a client typed.
    var logDescription: String {
        switch self {
        case .unix(let peer):
            "uid=\(peer.uid) pid=\(peer.pid)"
        case .tls(let peer):
            "cert=\(peer.fingerprint.prefix(16)) addr=\(peer.remoteAddress)"
        }
    }
}
