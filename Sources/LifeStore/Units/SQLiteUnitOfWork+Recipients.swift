import Foundation
import GRDB
import LifeCore

extension SQLiteUnitOfWork: RecipientUnitOfWork {
    func recipient(id: String, facility: FacilityNumber) throws -> Recipient? {
        try Row.fetchOne(
            cached: db, sql: "SELECT \(Recipient.selection) FROM recipient WHERE id = ? AND facility_number = ?",
            arguments: [id, facility.rawValue]
        ).map { try Recipient(row: $0, path: path) }
    }

    func recipients(facility: FacilityNumber, filter: RecipientFilter, after cursor: RecipientCursor?, limit: Int) throws -> [Recipient] {
        guard filter.includesValid else { return [] }
        return try page(of: "recipient", Recipient.selection, facility: facility, filter: filter, after: cursor, limit: limit)
            .map { try Recipient(row: $0, path: path) }
    }

    /// Up to `limit` rows of `table` (`recipient` or `flagged_recipient`) of `facility` matching
    /// `filter`, ordered by kana then id, starting after `cursor`.
    func page(
        of table: String, _ selection: String, facility: FacilityNumber, filter: RecipientFilter, after cursor: RecipientCursor?, limit: Int
    ) throws -> [Row] {
        var (conditions, arguments) = Self.conditions(facility: facility, filter: filter)
        if let cursor {
            conditions.append("(full_name_kana, id) > (?, ?)")
            _ = arguments.append(contentsOf: [cursor.kana, cursor.id])
        }
        _ = arguments.append(contentsOf: [limit])
        return try Row.fetchAll(
            cached: db,
            sql: """
                SELECT \(selection) FROM \(table) WHERE \(conditions.joined(separator: " AND "))
                ORDER BY full_name_kana, id LIMIT ?
                """,
            arguments: arguments)
    }

    /// How many rows of `table` of `facility` match `filter`.
    func count(of table: String, facility: FacilityNumber, filter: RecipientFilter) throws -> Int {
        let (conditions, arguments) = Self.conditions(facility: facility, filter: filter)
        return try Int.fetchOne(
            cached: db, sql: "SELECT count(*) FROM \(table) WHERE \(conditions.joined(separator: " AND "))", arguments: arguments) ?? 0
    }

    func countRecipients(facility: FacilityNumber, filter: RecipientFilter) throws -> Int {
        guard filter.includesValid else { return 0 }
        return try count(of: "recipient", facility: facility, filter: filter)
    }

    func latestChangeSequence() throws -> Int64 {
        // The last number handed out, which pruning never lowers.
        try Int64.fetchOne(cached: db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'recipient_change'") ?? 0
    }

    func changes(facility: FacilityNumber, after sequence: Int64, limit: Int) throws -> [RecipientChange] {
        try Row.fetchAll(
            cached: db,
            sql: """
                SELECT sequence, facility_number, recipient_id, kind, version, time, changed_by FROM recipient_change
                WHERE facility_number = ? AND sequence > ? ORDER BY sequence LIMIT ?
                """,
            arguments: [facility.rawValue, sequence, limit]
        ).map { row in
            guard let kind = RecipientChange.Kind(rawValue: try row.decode(Int.self, forColumn: "kind")) else {
                throw StoreError(code: .corruptData, path: path, message: "database \(path) holds an invalid recipient_change.kind")
            }
            return RecipientChange(
                sequence: try row.decode(Int64.self, forColumn: "sequence"),
                facility: try row.facilityNumber("facility_number", path: path),
                recipientID: try row.decode(String.self, forColumn: "recipient_id"),
                kind: kind,
                version: try row.decode(Int64.self, forColumn: "version"),
                time: try row.time("time"),
                changedBy: try row.decode(String.self, forColumn: "changed_by"))
        }
    }

    func prunedThrough() throws -> Int64 {
        try Int64.fetchOne(cached: db, sql: "SELECT pruned_through FROM recipient_change_retention WHERE id = 1") ?? 0
    }

    func pruneChanges(before time: Date) throws -> Int {
        let cutoff = StoredTime.microseconds(time)
        guard
            let last = try Int64.fetchOne(cached: db, sql: "SELECT max(sequence) FROM recipient_change WHERE time < ?", arguments: [cutoff])
        else { return 0 }
        // By sequence, not time: everything up to the newest old entry goes, so the watermark is exact.
        try db.execute(cached: "DELETE FROM recipient_change WHERE sequence <= ?", arguments: [last])
        let deleted = db.changesCount
        try db.execute(
            cached: "UPDATE recipient_change_retention SET pruned_through = max(pruned_through, ?) WHERE id = 1", arguments: [last])
        return deleted
    }

    func insert(_ recipient: Recipient) throws {
        do {
            let marks = Array(repeating: "?", count: Recipient.columns.count).joined(separator: ", ")
            try db.execute(cached: "INSERT INTO recipient (\(Recipient.selection)) VALUES (\(marks))", arguments: recipient.arguments)
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw Self.duplicate
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_FOREIGNKEY {
            throw DomainError.notFound("facility \(recipient.facility)")
        }
    }

    func replace(_ recipient: Recipient, expectedVersion: Int64) throws {
        let assignments = Recipient.columns.dropFirst(2).map { "\($0) = ?" }.joined(separator: ", ")
        var arguments = StatementArguments(Array(Recipient.columnValues(recipient).dropFirst(2)))
        _ = arguments.append(contentsOf: [recipient.id, recipient.facility.rawValue, expectedVersion])
        do {
            try db.execute(
                cached: "UPDATE recipient SET \(assignments) WHERE id = ? AND facility_number = ? AND version = ?", arguments: arguments)
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw Self.duplicate
        }
        if db.changesCount == 0 { try explainMissedWrite(id: recipient.id, facility: recipient.facility) }
    }

    func delete(id: String, facility: FacilityNumber, expectedVersion: Int64) throws {
        try db.execute(
            cached: "DELETE FROM recipient WHERE id = ? AND facility_number = ? AND version = ?",
            arguments: [id, facility.rawValue, expectedVersion])
        if db.changesCount == 0 { try explainMissedWrite(id: id, facility: facility) }
    }

    func appendChange(_ change: RecipientChange) throws -> Int64 {
        try db.execute(
            cached: """
                INSERT INTO recipient_change (facility_number, recipient_id, kind, version, time, changed_by)
                VALUES (?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                change.facility.rawValue, change.recipientID, change.kind.rawValue, change.version, StoredTime.microseconds(change.time),
                change.changedBy,
            ])
        return db.lastInsertedRowID
    }

    /// A version-checked write that changed nothing: the record is gone or has moved on.
    private func explainMissedWrite(id: String, facility: FacilityNumber) throws {
        guard let stored = try recipient(id: id, facility: facility) else { throw DomainError.notFound("recipient") }
        throw DomainError.versionConflict("the recipient was changed by someone else (stored version \(stored.version)); read it again")
    }

    private static let duplicate = DomainError.alreadyExists("a recipient with this insurer and insured number")

    /// The WHERE terms of a list of `facility` by `filter`; the column names are shared by
    /// `recipient` and `flagged_recipient` (whose lists never filter on eligibility).
    static func conditions(facility: FacilityNumber, filter: RecipientFilter) -> ([String], StatementArguments) {
        var conditions = ["facility_number = ?"]
        var arguments: StatementArguments = [facility.rawValue]
        if let insurer = filter.insurerNumber {
            conditions.append("insurer_number = ?")
            _ = arguments.append(contentsOf: [insurer])
        }
        if let insured = filter.insuredNumber {
            conditions.append("insured_number = ?")
            _ = arguments.append(contentsOf: [insured])
        }
        if let prefix = filter.kanaPrefix, !prefix.isEmpty {
            // Range on the index instead of LIKE: no escaping, and the kana index serves it.
            conditions.append("full_name_kana >= ? AND full_name_kana < ?")
            _ = arguments.append(contentsOf: [prefix, prefix + "\u{10FFFF}"])
        }
        if !filter.careLevels.isEmpty {
            let levels = filter.careLevels.map(\.rawValue).sorted()
            conditions.append("care_level IN (\(levels.map { _ in "?" }.joined(separator: ", ")))")
            _ = arguments.append(contentsOf: StatementArguments(levels))
        }
        if let service = filter.serviceTypeCode {
            conditions.append("service_type_code = ?")
            _ = arguments.append(contentsOf: [service])
        }
        if !filter.verificationStatuses.isEmpty {
            let statuses = filter.verificationStatuses.map(\.rawValue).sorted()
            conditions.append("verification_status IN (\(statuses.map { _ in "?" }.joined(separator: ", ")))")
            _ = arguments.append(contentsOf: StatementArguments(statuses))
        }
        return (conditions, arguments)
    }
}
