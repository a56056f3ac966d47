import Foundation
import GRDB
import LifeCore

extension SQLiteStore: AuditStore {
    /// Reads the newest record and inserts the next one in one IMMEDIATE transaction: the single
    /// writer connection serialises appends, so sequence numbers have no gaps and each hash covers
    /// its predecessor. The returned record's time is the stored (microsecond) time.
    @discardableResult
    public func appendAudit(_ event: AuditEvent) async throws -> AuditRecord {
        var event = event
        event.time = StoredTime.normalized(event.time)
        return try await pool.write { [event] db in try Self.append(event, in: db) }
    }

    /// Appends `event` as the next record of the chain inside the caller's transaction.
    static func append(_ event: AuditEvent, in db: Database) throws -> AuditRecord {
        let last = try Row.fetchOne(cached: db, sql: "SELECT sequence, hash FROM audit_event ORDER BY sequence DESC LIMIT 1")
        let sequence = (try last?.decode(Int64.self, forColumn: "sequence") ?? 0) + 1
        let previousHash = try last?.decode(String.self, forColumn: "hash") ?? ""
        let record = AuditRecord(
            sequence: sequence,
            event: event,
            previousHash: previousHash,
            hash: AuditChain.hash(previousHash: previousHash, sequence: sequence, event: event)
        )
        try db.execute(
            cached: "INSERT INTO audit_event (\(AuditRecord.selection)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            arguments: [
                record.sequence, StoredTime.microseconds(event.time), event.facility, event.loginID,
                event.certificateFingerprint, event.localPeer, event.method, event.target, event.result, event.reason,
                record.previousHash, record.hash,
            ]
        )
        return record
    }

    public func auditRecords(matching filter: AuditFilter, before: Int64?, limit: Int) async throws -> [AuditRecord] {
        guard limit > 0 else { return [] }
        var conditions = ["sequence > ?"]
        var arguments: StatementArguments = [filter.afterSequence]
        if let before {
            conditions.append("sequence < ?")
            _ = arguments.append(contentsOf: [before])
        }
        for (column, value) in [("facility", filter.facility), ("login_id", filter.loginID), ("method", filter.method)] {
            guard let value else { continue }
            conditions.append("\(column) = ?")
            _ = arguments.append(contentsOf: [value])
        }
        _ = arguments.append(contentsOf: [limit])
        let sql =
            "SELECT \(AuditRecord.selection) FROM audit_event WHERE \(conditions.joined(separator: " AND ")) ORDER BY sequence DESC LIMIT ?"
        return try await read { [arguments] db in
            try Row.fetchAll(cached: db, sql: sql, arguments: arguments).map { try AuditRecord(row: $0) }
        }
    }

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
