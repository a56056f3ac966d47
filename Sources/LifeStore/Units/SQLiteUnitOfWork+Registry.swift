import Foundation
import GRDB
import LifeCore

extension SQLiteUnitOfWork: RegistryUnitOfWork {
    func participatingInsurer(_ insurer: InsurerNumber) throws -> ParticipatingInsurer? {
        try Row.fetchOne(
            cached: db, sql: "SELECT \(Self.insurerColumns) FROM participating_insurer WHERE insurer_number = ?",
            arguments: [insurer.rawValue]
        ).map(insurer(row:))
    }

    func qualificationRecords(insurer: InsurerNumber, insured: InsuredNumber) throws -> [QualificationRecord] {
        try Row.fetchAll(
            cached: db,
            sql: """
                SELECT q.birth_date, q.sex, q.valid_from, q.valid_until FROM registry_insurer r
                JOIN qualification_record q ON q.generation = r.generation AND q.insurer_number = r.insurer_number
                WHERE r.insurer_number = ? AND q.insured_number = ?
                """,
            arguments: [insurer.rawValue, insured.rawValue]
        ).map { row in
            guard let birth = CalendarDate(iso: try row.decode(String.self, atIndex: 0)),
                let sex = Sex(rawValue: try row.decode(Int.self, atIndex: 1))
            else { throw corrupt("qualification_record") }
            return QualificationRecord(
                insurerNumber: insurer, insuredNumber: insured, birthDate: birth, sex: sex,
                validFrom: try openDate(row.decode(String.self, atIndex: 2)), validUntil: try openDate(row.decode(String.self, atIndex: 3)))
        }
    }

    func registryRevision() throws -> Int64 {
        try Int64.fetchOne(cached: db, sql: "SELECT revision FROM registry_state WHERE id = 1") ?? 0
    }

    func insertInsurer(_ insurer: ParticipatingInsurer) throws {
        do {
            try db.execute(
                cached: """
                    INSERT INTO participating_insurer (insurer_number, name, joined_on, left_on, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    insurer.insurerNumber.rawValue, insurer.name, insurer.joinedOn.description, insurer.leftOn?.description,
                    StoredTime.microseconds(insurer.createdAt), StoredTime.microseconds(insurer.createdAt),
                ])
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
            throw DomainError.alreadyExists("insurer \(insurer.insurerNumber)")
        }
    }

    func updateInsurer(_ insurer: ParticipatingInsurer) throws {
        try db.execute(
            cached: "UPDATE participating_insurer SET name = ?, joined_on = ?, left_on = ?, updated_at = ? WHERE insurer_number = ?",
            arguments: [
                insurer.name, insurer.joinedOn.description, insurer.leftOn?.description, StoredTime.microseconds(Date()),
                insurer.insurerNumber.rawValue,
            ])
        if db.changesCount == 0 { throw DomainError.notFound("insurer \(insurer.insurerNumber)") }
    }

    func insurers(after: InsurerNumber?, limit: Int) throws -> [ParticipatingInsurer] {
        try Row.fetchAll(
            cached: db,
            sql: "SELECT \(Self.insurerColumns) FROM participating_insurer WHERE insurer_number > ? ORDER BY insurer_number LIMIT ?",
            arguments: [after?.rawValue ?? "", limit]
        ).map(insurer(row:))
    }

    func countInsurers() throws -> Int {
        try Int.fetchOne(cached: db, sql: "SELECT count(*) FROM participating_insurer") ?? 0
    }

    func raiseRegistryRevision() throws -> Int64 {
        try db.execute(cached: "UPDATE registry_state SET revision = revision + 1 WHERE id = 1")
        return try registryRevision()
    }

    func beginGeneration() throws -> Int64 {
        try db.execute(cached: "UPDATE registry_state SET last_generation = last_generation + 1 WHERE id = 1")
        let generation = try Int64.fetchOne(cached: db, sql: "SELECT last_generation FROM registry_state WHERE id = 1") ?? 0
        try db.execute(
            cached: "INSERT INTO registry_staging (generation, started_at) VALUES (?, ?)",
            arguments: [generation, StoredTime.microseconds(Date())])
        return generation
    }

    func stage(_ records: [StagedRecord], generation: Int64) throws -> [StagingConflict] {
        var conflicts: [StagingConflict] = []
        let insert = try db.cachedStatement(
            sql: """
                INSERT INTO qualification_record
                    (generation, insurer_number, insured_number, valid_from, valid_until, birth_date, sex, line)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                """)
        for staged in records {
            let r = staged.record
            let (from, until, birth) = (Self.stored(r.validFrom), Self.stored(r.validUntil), Self.stored(r.birthDate))
            try insert.execute(
                arguments: [
                    generation, r.insurerNumber.rawValue, r.insuredNumber.rawValue, from, until, birth, r.sex.rawValue, staged.line,
                ])
            guard db.changesCount == 0 else { continue }
            let earlier = try Row.fetchOne(
                cached: db,
                sql: """
                    SELECT valid_until, birth_date, sex, line FROM qualification_record
                    WHERE generation = ? AND insurer_number = ? AND insured_number = ? AND valid_from = ?
                    """,
                arguments: [generation, r.insurerNumber.rawValue, r.insuredNumber.rawValue, from])
            guard let earlier else { throw corrupt("qualification_record") }
            let identical =
                try earlier.decode(String.self, atIndex: 0) == until
                && earlier.decode(String.self, atIndex: 1) == birth
                && earlier.decode(Int.self, atIndex: 2) == r.sex.rawValue
            conflicts.append(
                StagingConflict(line: staged.line, earlierLine: try earlier.decode(Int64.self, atIndex: 3), identical: identical))
        }
        return conflicts
    }

    func currentDigest(of insurer: InsurerNumber) throws -> RegistryDigest? {
        try String.fetchOne(cached: db, sql: "SELECT digest FROM registry_insurer WHERE insurer_number = ?", arguments: [insurer.rawValue])
            .map { text in
                guard let digest = RegistryDigest(stored: text) else { throw corrupt("registry_insurer.digest") }
                return digest
            }
    }

    func publish(insurer: InsurerNumber, generation: Int64, digest: RegistryDigest, at time: Date) throws {
        if let previous = try Int64.fetchOne(
            cached: db, sql: "SELECT generation FROM registry_insurer WHERE insurer_number = ?", arguments: [insurer.rawValue])
        {
            try discard(generation: previous, insurer: insurer)
        }
        try db.execute(
            cached: """
                INSERT INTO registry_insurer (insurer_number, generation, digest, record_count, imported_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (insurer_number) DO UPDATE SET
                    generation = excluded.generation, digest = excluded.digest, record_count = excluded.record_count,
                    imported_at = excluded.imported_at
                """,
            arguments: [insurer.rawValue, generation, digest.description, digest.count, StoredTime.microseconds(time)])
        try db.execute(
            cached: "UPDATE registry_state SET last_import_at = ? WHERE id = 1", arguments: [StoredTime.microseconds(time)])
    }

    func discard(generation: Int64, insurer: InsurerNumber?) throws {
        try db.execute(
            cached: "INSERT OR IGNORE INTO registry_garbage (generation, insurer_number) VALUES (?, ?)",
            arguments: [generation, insurer?.rawValue ?? ""])
    }

    func endStaging(generation: Int64) throws {
        try db.execute(cached: "DELETE FROM registry_staging WHERE generation = ?", arguments: [generation])
    }

    func discardAbandonedStaging() throws {
        for generation in try Int64.fetchAll(db, sql: "SELECT generation FROM registry_staging") {
            try discard(generation: generation, insurer: nil)
            try endStaging(generation: generation)
        }
    }

    func collectRegistryGarbage(limit: Int) throws -> Bool {
        guard
            let entry = try Row.fetchOne(
                cached: db, sql: "SELECT generation, insurer_number FROM registry_garbage ORDER BY generation, insurer_number LIMIT 1")
        else { return false }
        let generation: Int64 = try entry.decode(Int64.self, atIndex: 0)
        let insurer: String = try entry.decode(String.self, atIndex: 1)
        let scope = insurer.isEmpty ? "generation = ?" : "generation = ? AND insurer_number = ?"
        let arguments: StatementArguments = insurer.isEmpty ? [generation, limit] : [generation, insurer, limit]
        try db.execute(
            sql: """
                DELETE FROM qualification_record WHERE (generation, insurer_number, insured_number, valid_from) IN
                    (SELECT generation, insurer_number, insured_number, valid_from FROM qualification_record WHERE \(scope) LIMIT ?)
                """,
            arguments: arguments)
        if db.changesCount < limit {
            try db.execute(
                cached: "DELETE FROM registry_garbage WHERE generation = ? AND insurer_number = ?", arguments: [generation, insurer])
        }
        return true
    }

    func registryCounts(on day: CalendarDate) throws -> RegistryCounts {
        let today = day.description
        let insurers = try Row.fetchOne(
            cached: db,
            sql: """
                SELECT count(*) FILTER (WHERE joined_on <= ?1 AND (left_on IS NULL OR ?1 < left_on)),
                       count(*) FILTER (WHERE left_on IS NOT NULL AND left_on <= ?1)
                FROM participating_insurer
                """,
            arguments: [today])
        let records = try Row.fetchOne(cached: db, sql: "SELECT coalesce(sum(record_count), 0), count(*) FROM registry_insurer")
        let state = try Row.fetchOne(cached: db, sql: "SELECT revision, last_import_at FROM registry_state WHERE id = 1")
        return RegistryCounts(
            participatingInsurers: try insurers?.decode(Int.self, atIndex: 0) ?? 0,
            leftInsurers: try insurers?.decode(Int.self, atIndex: 1) ?? 0,
            records: try records?.decode(Int64.self, atIndex: 0) ?? 0,
            insurersWithRecords: try records?.decode(Int.self, atIndex: 1) ?? 0,
            revision: try state?.decode(Int64.self, atIndex: 0) ?? 0,
            lastImportAt: try state?.decode(Int64?.self, atIndex: 1).map(StoredTime.date))
    }

    private static let insurerColumns = "insurer_number, name, joined_on, left_on, created_at"

    private func insurer(row: Row) throws -> ParticipatingInsurer {
        guard let number = try? InsurerNumber(try row.decode(String.self, atIndex: 0)),
            let joined = CalendarDate(iso: try row.decode(String.self, atIndex: 2))
        else { throw corrupt("participating_insurer") }
        return ParticipatingInsurer(
            insurerNumber: number, name: try row.decode(String.self, atIndex: 1), joinedOn: joined,
            leftOn: try openDate(row.decode(String?.self, atIndex: 3) ?? ""),
            createdAt: StoredTime.date(try row.decode(Int64.self, atIndex: 4)))
    }

    /// `date` as stored (`CalendarDate.description`, '' for an open end), written without
    /// String(format:), which had cost more than the insert itself.
    private static func stored(_ date: CalendarDate?) -> String {
        guard let date else { return "" }
        var bytes = [UInt8](repeating: UInt8(ascii: "-"), count: 10)
        func put(_ value: Int, endingAt end: Int, width: Int) {
            var rest = value
            for position in stride(from: end, to: end - width, by: -1) {
                bytes[position] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
        }
        put(date.year, endingAt: 3, width: 4)
        put(date.month, endingAt: 6, width: 2)
        put(date.day, endingAt: 9, width: 2)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A stored date where '' stands for an open end.
    private func openDate(_ text: String) throws -> CalendarDate? {
        guard !text.isEmpty else { return nil }
        guard let date = CalendarDate(iso: text) else { throw corrupt("qualification_record") }
        return date
    }

    func corrupt(_ table: String) -> StoreError {
        StoreError(code: .corruptData, path: path, message: "database \(path) holds an invalid \(table) row")
    }
}
