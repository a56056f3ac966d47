import GRDB
import LifeCore

extension SQLiteStore {
    /// Streams the table in sequence order from one read snapshot (appends made meanwhile are not
    /// seen) through `AuditChain.verify` itself, one row in memory at a time. A read or decoding
    /// error is thrown, never reported as a verdict on a partial walk.
    public func verifyAuditChain() async throws -> AuditChain.Verification {
        try await read { db in
            let records = AuditRecordCursorSequence(
                try Row.fetchCursor(db, sql: "SELECT \(AuditRecord.selection) FROM audit_event ORDER BY sequence")
            )
            let verification = AuditChain.verify(records)
            if let failure = records.failure { throw failure }
            return verification
        }
    }
}
