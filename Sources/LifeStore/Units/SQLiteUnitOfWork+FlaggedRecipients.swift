import GRDB
import LifeCore

extension SQLiteUnitOfWork {
    func flaggedRecipient(id: String, facility: FacilityNumber) throws -> FlaggedRecipient? {
        try Row.fetchOne(
            cached: db, sql: "SELECT \(FlaggedRecipient.selection) FROM flagged_recipient WHERE id = ? AND facility_number = ?",
            arguments: [id, facility.rawValue]
        ).map { try FlaggedRecipient(row: $0, path: path) }
    }

    func flaggedRecipients(facility: FacilityNumber, filter: RecipientFilter, after cursor: RecipientCursor?, limit: Int) throws
        -> [FlaggedRecipient]
    {
        guard filter.includesFlagged else { return [] }
        return try page(
            of: "flagged_recipient", FlaggedRecipient.selection, facility: facility, filter: filter, after: cursor, limit: limit
        )
        .map { try FlaggedRecipient(row: $0, path: path) }
    }

    func countFlaggedRecipients(facility: FacilityNumber, filter: RecipientFilter) throws -> Int {
        guard filter.includesFlagged else { return 0 }
        return try count(of: "flagged_recipient", facility: facility, filter: filter)
    }

    func insertFlagged(_ flagged: FlaggedRecipient) throws {
        let marks = Array(repeating: "?", count: FlaggedRecipient.columns.count).joined(separator: ", ")
        do {
            try db.execute(
                cached: "INSERT INTO flagged_recipient (\(FlaggedRecipient.selection)) VALUES (\(marks))",
                arguments: StatementArguments(FlaggedRecipient.columnValues(flagged)))
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_FOREIGNKEY {
            throw DomainError.notFound("facility \(flagged.facility)")
        }
    }

    func replaceFlagged(_ flagged: FlaggedRecipient, expectedVersion: Int64) throws {
        let assignments = FlaggedRecipient.columns.dropFirst(2).map { "\($0) = ?" }.joined(separator: ", ")
        var arguments = StatementArguments(Array(FlaggedRecipient.columnValues(flagged).dropFirst(2)))
        _ = arguments.append(contentsOf: [flagged.id, flagged.facility.rawValue, expectedVersion])
        try db.execute(
            cached: "UPDATE flagged_recipient SET \(assignments) WHERE id = ? AND facility_number = ? AND version = ?", arguments: arguments
        )
        if db.changesCount == 0 { try explainMissedFlaggedWrite(id: flagged.id, facility: flagged.facility) }
    }

    func deleteFlagged(id: String, facility: FacilityNumber, expectedVersion: Int64) throws {
        try db.execute(
            cached: "DELETE FROM flagged_recipient WHERE id = ? AND facility_number = ? AND version = ?",
            arguments: [id, facility.rawValue, expectedVersion])
        if db.changesCount == 0 { try explainMissedFlaggedWrite(id: id, facility: facility) }
    }

    private func explainMissedFlaggedWrite(id: String, facility: FacilityNumber) throws {
        guard let stored = try flaggedRecipient(id: id, facility: facility) else { throw DomainError.notFound("recipient") }
        throw DomainError.versionConflict("the recipient was changed by someone else (stored version \(stored.version)); read it again")
    }
}
