import GRDB
import LifeCore

extension SQLiteUnitOfWork: AuditUnitOfWork {
    /// Reads the newest record and inserts the next one: the single writer connection
    /// serialises appends, so sequence numbers have no gaps and each hash covers its predecessor.
    @discardableResult
    func appendAudit(_ event: AuditEvent) throws -> AuditRecord {
        var event = event
        event.time = StoredTime.normalized(event.time)
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

    func auditRecords(matching filter: AuditFilter, before: Int64?, limit: Int) throws -> [AuditRecord] {
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
        return try Row.fetchAll(
            cached: db,
            sql:
                "SELECT \(AuditRecord.selection) FROM audit_event WHERE \(conditions.joined(separator: " AND ")) ORDER BY sequence DESC LIMIT ?",
            arguments: arguments
        ).map { try AuditRecord(row: $0) }
    }
}
