import Foundation

/// One thing that happened, as the audit log records it. Never a password, token or recipient
/// field: targets are identifiers only.
public struct AuditEvent: Sendable, Hashable {
    public var time: Date
    /// Facility from the certificate; empty on the Unix socket.
    public var facility: String
    /// Staff login id, or the one tried in a failed login; empty when none.
    public var loginID: String
    /// Certificate fingerprint; empty on the Unix socket.
    public var certificateFingerprint: String
    /// Unix socket peer ("uid=0 pid=123"); empty on TLS.
    public var localPeer: String
    /// Full method path.
    public var method: String
    /// What was touched, e.g. "staff:tanaka" or "facility:1312345679".
    public var target: String
    /// Status name the call ended with, e.g. "OK", "UNAUTHENTICATED".
    public var result: String
    /// Detail for operators, e.g. "WRONG_PASSWORD" (the caller was not told).
    public var reason: String

    public init(
        time: Date,
        facility: String = "",
        loginID: String = "",
        certificateFingerprint: String = "",
        localPeer: String = "",
        method: String,
        target: String = "",
        result: String,
        reason: String = ""
    ) {
        self.time = time
        self.facility = facility
        self.loginID = loginID
        self.certificateFingerprint = certificateFingerprint
        self.localPeer = localPeer
        self.method = method
        self.target = target
        self.result = result
        self.reason = reason
    }
}

/// A stored audit event with its place in the chain.
public struct AuditRecord: Sendable, Hashable {
    public var sequence: Int64
    public var event: AuditEvent
    public var previousHash: String
    public var hash: String

    public init(sequence: Int64, event: AuditEvent, previousHash: String, hash: String) {
        self.sequence = sequence
        self.event = event
        self.previousHash = previousHash
        self.hash = hash
    }
}
