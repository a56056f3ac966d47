/// Who is on the other end of a call and what it asked for, as the audit log names them.
public struct CallRecord: Sendable, Hashable {
    /// Full method path, e.g. `/life.v1.Recipients/GetRecipient`.
    public var method: String
    /// The client certificate's fingerprint (TLS); empty on the Unix socket.
    public var certificateFingerprint: String
    /// The Unix socket peer ("uid=0 gid=0 pid=123"); empty on TLS.
    public var localPeer: String

    public init(method: String, certificateFingerprint: String = "", localPeer: String = "") {
        self.method = method
        self.certificateFingerprint = certificateFingerprint
        self.localPeer = localPeer
    }
}
