import GRDB
import LifeCore

extension SQLiteStore {
    /// Streams the table in sequence order from one read snapshot (appends made meanwhile are not
    /// seen) through `AuditChain.verify` itself, one row in memory at a time, then checks the
    /// sealed head against the last record (when a key is configured). A read or decoding error is
    /// thrown, never reported as a verdict on a partial walk.
    public func verifyAuditChain() async throws -> AuditChain.Verification {
        let key = anchorKey
        return try await read { db in
            let records = AuditRecordCursorSequence(
                try Row.fetchCursor(db, sql: "SELECT \(AuditRecord.selection) FROM audit_event ORDER BY sequence")
            )
            let verification = AuditChain.verify(records)
            if let failure = records.failure { throw failure }
            guard let key, case .intact(let count) = verification else { return verification }
            let last = try Row.fetchOne(db, sql: "SELECT sequence, hash FROM audit_event ORDER BY sequence DESC LIMIT 1")
            let sealed = try Row.fetchOne(db, sql: "SELECT sequence, hash, seal FROM audit_anchor WHERE id = 1")
            return try Self.checkHead(
                last: last.map { (try $0.decode(Int64.self, forColumn: "sequence"), try $0.decode(String.self, forColumn: "hash")) },
                sealed: sealed.map {
                    (
                        try $0.decode(Int64.self, forColumn: "sequence"), try $0.decode(String.self, forColumn: "hash"),
                        try $0.decode(String.self, forColumn: "seal")
                    )
                }, key: key, count: count)
        }
    }

    /// Whether the audit chain's head is sealed with a key kept outside the database.
    public var auditHeadAnchored: Bool { anchorKey != nil }

    /// The intact chain's last record against the sealed head.
    private static func checkHead(
        last: (sequence: Int64, hash: String)?, sealed: (sequence: Int64, hash: String, seal: String)?, key: AuditAnchorKey, count: Int
    ) -> AuditChain.Verification {
        guard let sealed else {
            guard let last else { return .intact(records: count) }
            return .broken(
                sequence: last.sequence, reason: "the audit head is not sealed, though a key is configured (the seal was deleted)")
        }
        guard key.opens(sealed.seal, sequence: sealed.sequence, hash: sealed.hash) else {
            return .broken(sequence: sealed.sequence, reason: "the sealed head does not open with the key (forged, or the key changed)")
        }
        let lastSequence = last?.sequence ?? 0
        if sealed.sequence > lastSequence {
            return .broken(
                sequence: lastSequence + 1,
                reason: "records \(lastSequence + 1)…\(sealed.sequence) are missing: the sealed head is record \(sealed.sequence)")
        }
        if sealed.sequence < lastSequence {
            return .broken(
                sequence: sealed.sequence + 1,
                reason:
                    "records \(sealed.sequence + 1)…\(lastSequence) were appended without the key (the sealed head is record \(sealed.sequence))"
            )
        }
        guard last?.hash == sealed.hash else {
            return .broken(
                sequence: lastSequence, reason: "record \(lastSequence) is not the sealed head (the newest records were replaced)")
        }
        return .intact(records: count)
    }
}
