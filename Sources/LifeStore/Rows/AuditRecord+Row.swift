import GRDB
import LifeCore

extension AuditRecord {
    /// The columns `init(row:)` reads.
    static let selection = """
        sequence, occurred_at, facility, login_id, certificate_fingerprint, local_peer, method, target, result, reason, \
        previous_hash, hash
        """

    /// A record from an `audit_event` row. The time is rebuilt from the stored microseconds, the
    /// integer the chain hash covers, so an untouched row re-hashes to its stored hash.
    init(row: Row) throws {
        let event = AuditEvent(
            time: try row.time("occurred_at"),
            facility: try row.decode(String.self, forColumn: "facility"),
            loginID: try row.decode(String.self, forColumn: "login_id"),
            certificateFingerprint: try row.decode(String.self, forColumn: "certificate_fingerprint"),
            localPeer: try row.decode(String.self, forColumn: "local_peer"),
            method: try row.decode(String.self, forColumn: "method"),
            target: try row.decode(String.self, forColumn: "target"),
            result: try row.decode(String.self, forColumn: "result"),
            reason: try row.decode(String.self, forColumn: "reason")
        )
        self.init(
            sequence: try row.decode(Int64.self, forColumn: "sequence"),
            event: event,
            previousHash: try row.decode(String.self, forColumn: "previous_hash"),
            hash: try row.decode(String.self, forColumn: "hash")
        )
    }
}
