import Foundation
import GRDB
import LifeCore

extension SQLiteUnitOfWork: VerificationJobUnitOfWork {
    func insertJob(_ job: VerificationJob) throws {
        try db.execute(
            cached: """
                INSERT INTO verification_job (id, trigger, facility_number, insurer_numbers, statuses, state, total_count,
                    processed_count, matched_count, mismatched_count, not_found_count, not_checked_count,
                    cursor_insurer, cursor_recipient, created_at, started_at, finished_at, error_message)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: StatementArguments(
                [
                    job.id, job.trigger.rawValue, job.scope.facility?.rawValue ?? "",
                    job.scope.insurers.map(\.rawValue).joined(separator: ","),
                    job.scope.statuses.map(\.rawValue).sorted().map(String.init).joined(separator: ","),
                ] + Self.progressValues(job)))
    }

    func updateJob(_ job: VerificationJob) throws {
        try db.execute(
            cached: """
                UPDATE verification_job SET state = ?, total_count = ?, processed_count = ?, matched_count = ?,
                    mismatched_count = ?, not_found_count = ?, not_checked_count = ?, cursor_insurer = ?, cursor_recipient = ?,
                    created_at = ?, started_at = ?, finished_at = ?, error_message = ?
                WHERE id = ?
                """,
            arguments: StatementArguments(Self.progressValues(job) + [job.id]))
        if db.changesCount == 0 { throw DomainError.notFound("verification job \(job.id)") }
    }

    func job(id: String, facility: FacilityNumber?) throws -> VerificationJob? {
        try Row.fetchOne(
            cached: db,
            sql: "SELECT \(Self.jobColumns) FROM verification_job WHERE id = ? AND (?2 IS NULL OR facility_number = ?2)",
            arguments: [id, facility?.rawValue]
        ).map(job(row:))
    }

    func jobs(facility: FacilityNumber?, after: String?, limit: Int) throws -> [VerificationJob] {
        try Row.fetchAll(
            cached: db,
            sql: """
                SELECT \(Self.jobColumns) FROM verification_job
                WHERE (?1 IS NULL OR facility_number = ?1)
                  AND seq < coalesce((SELECT seq FROM verification_job WHERE id = ?2), 9223372036854775807)
                ORDER BY seq DESC LIMIT ?3
                """,
            arguments: [facility?.rawValue, after, limit]
        ).map(job(row:))
    }

    func countJobs(facility: FacilityNumber?) throws -> Int {
        try Int.fetchOne(
            cached: db, sql: "SELECT count(*) FROM verification_job WHERE ?1 IS NULL OR facility_number = ?1",
            arguments: [facility?.rawValue]) ?? 0
    }

    func activeJobs() throws -> [VerificationJob] {
        try Row.fetchAll(
            cached: db, sql: "SELECT \(Self.jobColumns) FROM verification_job WHERE state IN (1, 2) ORDER BY seq"
        ).map(job(row:))
    }

    /// The index is searched from the cursor on (and, with insurers, up to the last of them): the
    /// insurers' IN is only a filter, as SQLite would otherwise search by it and read every
    /// entry of the insurer up to the cursor again for each batch. A facility's job sorts that
    /// facility's recipients instead (a few thousand at most).
    func recipients(in scope: VerificationScope, after cursor: VerificationCursor?, limit: Int) throws -> [Recipient] {
        var (conditions, arguments) = Self.conditions(scope, insurersAsFilter: true)
        // A job of some insurers starts at the first of them, not at the index's first entry.
        let cursor = cursor ?? VerificationCursor(insurerNumber: scope.insurers.min()?.rawValue ?? "", recipientID: "")
        conditions.append("(insurer_number, id) > (?, ?)")
        _ = arguments.append(contentsOf: [cursor.insurerNumber, cursor.recipientID])
        if let last = scope.insurers.max() {
            conditions.append("insurer_number <= ?")
            _ = arguments.append(contentsOf: [last.rawValue])
        }
        _ = arguments.append(contentsOf: [limit])
        return try Row.fetchAll(
            cached: db,
            sql: """
                SELECT \(Recipient.selection) FROM recipient \(scope.facility == nil ? "INDEXED BY recipient_by_insurer" : "")
                WHERE \(conditions.joined(separator: " AND "))
                ORDER BY insurer_number, id LIMIT ?
                """,
            arguments: arguments
        ).map { try Recipient(row: $0, path: path) }
    }

    func countRecipients(in scope: VerificationScope) throws -> Int64 {
        let (conditions, arguments) = Self.conditions(scope)
        return try Int64.fetchOne(
            cached: db, sql: "SELECT count(*) FROM recipient WHERE \(conditions.joined(separator: " AND "))", arguments: arguments) ?? 0
    }

    func recordVerification(_ result: VerificationResult, recipientID: String, facility: FacilityNumber) throws -> Bool {
        try db.execute(
            cached: """
                UPDATE recipient SET verification_status = ?, verification_fields = ?, verified_at = ?, verified_on = ?,
                    verified_version = ?, verified_revision = ?
                WHERE id = ? AND facility_number = ? AND version = ?
                """,
            arguments: StatementArguments(
                Recipient.verificationValues(result) + [recipientID, facility.rawValue, result.recipientVersion]))
        return db.changesCount == 1
    }

    private static let jobColumns = """
        id, trigger, facility_number, insurer_numbers, statuses, state, total_count, processed_count, matched_count,
        mismatched_count, not_found_count, not_checked_count, cursor_insurer, cursor_recipient, created_at, started_at,
        finished_at, error_message
        """

    /// Values from `state` on, in the column order of `insertJob` and `updateJob`.
    private static func progressValues(_ job: VerificationJob) -> [(any DatabaseValueConvertible)?] {
        [
            job.state.rawValue, job.totalCount, job.counts.processed, job.counts.matched, job.counts.mismatched, job.counts.notFound,
            job.counts.notChecked, job.cursor?.insurerNumber, job.cursor?.recipientID,
            StoredTime.microseconds(job.createdAt), StoredTime.microseconds(job.startedAt), StoredTime.microseconds(job.finishedAt),
            job.errorMessage,
        ]
    }

    private func job(row: Row) throws -> VerificationJob {
        func list(_ index: Int) throws -> [Substring] { try row.decode(String.self, atIndex: index).split(separator: ",") }
        guard let trigger = VerificationJob.Trigger(rawValue: try row.decode(Int.self, atIndex: 1)),
            let state = VerificationJob.State(rawValue: try row.decode(Int.self, atIndex: 5))
        else { throw corrupt("verification_job") }
        let facilityText = try row.decode(String.self, atIndex: 2)
        let scope: VerificationScope
        do {
            scope = VerificationScope(
                facility: facilityText.isEmpty ? nil : try FacilityNumber(facilityText, checkDigit: false),
                insurers: try list(3).map { try InsurerNumber(String($0)) },
                statuses: Set(try list(4).compactMap { Int($0).flatMap(VerificationStatus.init(rawValue:)) }))
        } catch {
            throw corrupt("verification_job")
        }
        var counts = VerificationCounts()
        counts.processed = try row.decode(Int64.self, atIndex: 7)
        counts.matched = try row.decode(Int64.self, atIndex: 8)
        counts.mismatched = try row.decode(Int64.self, atIndex: 9)
        counts.notFound = try row.decode(Int64.self, atIndex: 10)
        counts.notChecked = try row.decode(Int64.self, atIndex: 11)
        let cursor = try row.decode(String?.self, atIndex: 12).map { insurer in
            VerificationCursor(insurerNumber: insurer, recipientID: try row.decode(String.self, atIndex: 13))
        }
        return VerificationJob(
            id: try row.decode(String.self, atIndex: 0), trigger: trigger, scope: scope, state: state,
            totalCount: try row.decode(Int64.self, atIndex: 6), counts: counts, cursor: cursor,
            createdAt: StoredTime.date(try row.decode(Int64.self, atIndex: 14)),
            startedAt: try row.decode(Int64?.self, atIndex: 15).map(StoredTime.date),
            finishedAt: try row.decode(Int64?.self, atIndex: 16).map(StoredTime.date),
            errorMessage: try row.decode(String.self, atIndex: 17))
    }

    private static func conditions(_ scope: VerificationScope, insurersAsFilter: Bool = false) -> ([String], StatementArguments) {
        var conditions = ["1"]
        var arguments = StatementArguments()
        if let facility = scope.facility {
            conditions.append("facility_number = ?")
            _ = arguments.append(contentsOf: [facility.rawValue])
        }
        if !scope.insurers.isEmpty {
            conditions.append(
                (insurersAsFilter ? "+" : "") + "insurer_number IN (\(scope.insurers.map { _ in "?" }.joined(separator: ", ")))")
            _ = arguments.append(contentsOf: StatementArguments(scope.insurers.map(\.rawValue)))
        }
        if !scope.statuses.isEmpty {
            let statuses = scope.statuses.map(\.rawValue).sorted()
            conditions.append("verification_status IN (\(statuses.map { _ in "?" }.joined(separator: ", ")))")
            _ = arguments.append(contentsOf: StatementArguments(statuses))
        }
        return (conditions, arguments)
    }
}
