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
            return Self.checkHead(last: try AuditSeal.newest(db), sealed: try AuditSeal.sealed(db), key: key, count: count)
        }
    }

    /// Whether the audit chain's head is sealed with a key kept outside the database.
    public var auditHeadAnchored: Bool { anchorKey != nil }

    /// The intact chain's last record against the sealed head.
    private static func checkHead(
        last: AuditSeal.Head?, sealed: (head: AuditSeal.Head, seal: String)?, key: AuditAnchorKey, count: Int
    ) -> AuditChain.Verification {
        guard let sealed else {
            guard let last else { return .intact(records: count) }
            return .broken(
                sequence: last.sequence, reason: "the audit head is not sealed, though a key is configured (the seal was deleted)")
        }
        guard key.opens(sealed.seal, sequence: sealed.head.sequence, hash: sealed.head.hash) else {
            return .broken(
                sequence: sealed.head.sequence, reason: "the sealed head does not open with the key (forged, or the key changed)")
        }
        let lastSequence = last?.sequence ?? 0
        if sealed.head.sequence > lastSequence {
            return .broken(
                sequence: lastSequence + 1,
                reason: "records \(lastSequence + 1)…\(sealed.head.sequence) are missing: the sealed head is record \(sealed.head.sequence)"
            )
        }
        if sealed.head.sequence < lastSequence {
            return .broken(
                sequence: sealed.head.sequence + 1,
                reason:
                    "records \(sealed.head.sequence + 1)…\(lastSequence) were appended without the key (the sealed head is record \(sealed.head.sequence))"
            )
        }
        guard last?.hash == sealed.head.hash else {
            return .broken(
                sequence: lastSequence, reason: "record \(lastSequence) is not the sealed head (the newest records were replaced)")
        }
        return .intact(records: count)
    }
}
