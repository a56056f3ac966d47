import Foundation
import LifeCore

/// What an import from the old system is asked to do.
public struct LegacyImportRequest: Sendable, Hashable {
    public var path: String
    /// Read the file and report what would change; store nothing.
    public var dryRun: Bool

    public init(path: String, dryRun: Bool = false) {
        self.path = path
        self.dryRun = dryRun
    }
}

/// Imports files exported from the old system (docs/MIGRATION.md), for the operator. The file
/// is read in chunks of `chunkRows`; each chunk is one unit of work, so ordinary calls go on
/// between them, an import cut short keeps every chunk it reported, and running it again
/// completes it (rows already imported are unchanged). Memory stays bounded by a chunk, the
/// first `reportedRows` reports and a 16-byte key per old-system id seen (to find a second row
/// for the same id).
public struct MigrationUseCases: Sendable {
    static let chunkRows = 1_000
    public static let reportedRows = 1_000

    private let store: any TransactionalStore
    private let clock: any WallClock
    private let serviceTypes: ServiceTypeTable
    private let verifier: EligibilityVerifier
    private let signal: ChangeSignal
    private let checkFacilityDigit: Bool
    private let makeID: @Sendable () -> String

    public init(
        store: any TransactionalStore, clock: any WallClock = SystemClock(), serviceTypes: ServiceTypeTable = .standard,
        verifier: EligibilityVerifier = EligibilityVerifier(), signal: ChangeSignal = ChangeSignal(), checkFacilityDigit: Bool = true,
        makeID: @escaping @Sendable () -> String = { UUID().uuidString.lowercased() }
    ) {
        self.store = store
        self.clock = clock
        self.serviceTypes = serviceTypes
        self.verifier = verifier
        self.signal = signal
        self.checkFacilityDigit = checkFacilityDigit
        self.makeID = makeID
    }

    /// Imports `request.path`; `progress` hears after each chunk. A file whose format line or
    /// header is wrong is refused whole (`failedPrecondition`) before anything is stored.
    public func importExport(
        _ admin: OperatorPrincipal, _ request: LegacyImportRequest, progress report: @Sendable (LegacyImportProgress) -> Void
    ) async throws -> LegacyImportReport {
        let now = clock.now().microsecondPrecision
        let file = try ImportFile(path: request.path)
        defer { file.close() }
        var reader = CSVRecordReader(handle: file.handle)
        let header = try LegacyExportHeader(reading: &reader, path: request.path)
        let parser = LegacyRowParser(header: header, checkFacilityDigit: checkFacilityDigit)
        let applier = LegacyRowApplier(
            admin: admin, now: now, serviceTypes: serviceTypes, verifier: verifier, dryRun: request.dryRun, makeID: makeID)
        var progress = LegacyImportProgress()
        progress.kind = header.kind
        progress.totalBytes = file.totalBytes
        var reports: [LegacyRowReport] = []
        var seen = Set<RowKey>()
        var chunk: [LegacyRowParser.Row] = []
        // Rows refused while the chunk was read: reported with the chunk's, in line order.
        var refused: [LegacyRowReport] = []

        func flush() async throws {
            let rows = chunk
            chunk.removeAll(keepingCapacity: true)
            var found = refused
            refused.removeAll()
            if !rows.isEmpty {
                let body: @Sendable (any UnitOfWork) throws -> ([LegacyRowApplier.Outcome], [FacilityNumber: Int64]) = { unit in
                    var sequences: [FacilityNumber: Int64] = [:]
                    let outcomes = try rows.map { row -> LegacyRowApplier.Outcome in
                        switch row {
                        case .facility(let facility): return try applier.apply(facility, in: unit)
                        case .recipient(let recipient):
                            return try applier.apply(recipient, in: unit) { sequences[recipient.facility] = $0 }
                        }
                    }
                    return (outcomes, sequences)
                }
                let (outcomes, sequences) = try await request.dryRun ? store.snapshot(body) : store.unitOfWork(body)
                for (facility, sequence) in sequences { signal.advance(facility, to: sequence) }
                for (row, outcome) in zip(rows, outcomes) {
                    progress.count(outcome)
                    if let report = outcome.report(line: row.line) { found.append(report) }
                }
            }
            reports += found.sorted { $0.line < $1.line }.prefix(max(0, Self.reportedRows - reports.count))
            progress.bytesRead = reader.bytesRead
            report(progress)
        }

        do {
            while let record = try reader.next() {
                progress.rows += 1
                switch parser.parse(record.fields, line: record.line) {
                case .failure(let rejected):
                    progress.rejected += 1
                    refused.append(rejected)
                case .success(let row):
                    if !seen.insert(row.key).inserted {
                        progress.rejected += 1
                        refused.append(
                            LegacyRowReport(
                                line: record.line, column: row.keyColumn,
                                reason: "an earlier row of this file has the same \(row.keyColumn)",
                                outcome: .rejected))
                        continue
                    }
                    chunk.append(row)
                    if chunk.count >= Self.chunkRows {
                        try await flush()
                        try Task.checkCancellation()
                    }
                }
            }
            try await flush()
        } catch {
            // What committed stays; the audit log says the import ended early, and how far it got.
            if !request.dryRun {
                let summary = Self.summary(progress) + " ended_early=\(String(describing: type(of: error)))"
                let event = admin.auditEvent(time: now, target: Self.auditTarget, result: "ABORTED", reason: summary)
                await Task { try? await store.audit(event) }.value
            }
            throw error
        }
        progress.bytesRead = reader.bytesRead
        report(progress)
        if !request.dryRun {
            try await store.audit(admin.auditEvent(time: now, target: Self.auditTarget, result: "OK", reason: Self.summary(progress)))
        }
        return LegacyImportReport(progress: progress, rows: reports, dryRun: request.dryRun)
    }

    /// How the audit log names an import as a whole.
    static let auditTarget = "migration-import"

    private static func summary(_ progress: LegacyImportProgress) -> String {
        "kind=\(progress.kind.map { "\($0)" } ?? "-") rows=\(progress.rows) created=\(progress.created) updated=\(progress.updated) "
            + "unchanged=\(progress.unchanged) needs_correction=\(progress.needsCorrection) rejected=\(progress.rejected) "
            + "conflicts=\(progress.conflicts)"
    }

    /// A 128-bit digest of a row's facility and old-system id (or facility number alone), to
    /// find a second row for the same record without keeping the ids.
    struct RowKey: Hashable {
        var high: Int
        var low: Int
    }
}

extension LegacyRowParser.Row {
    var line: Int64 {
        switch self {
        case .facility(let row): row.line
        case .recipient(let row): row.line
        }
    }

    var keyColumn: String {
        switch self {
        case .facility: "facility_number"
        case .recipient: "legacy_id"
        }
    }

    var key: MigrationUseCases.RowKey {
        let parts =
            switch self {
            case .facility(let row): [row.number.rawValue]
            case .recipient(let row): [row.facility.rawValue, row.legacyID]
            }
        func hash(_ salt: Int) -> Int {
            var hasher = Hasher()
            hasher.combine(salt)
            for part in parts { hasher.combine(part) }
            return hasher.finalize()
        }
        return MigrationUseCases.RowKey(high: hash(0), low: hash(1))
    }
}

extension LegacyImportProgress {
    /// Counts one applied row.
    mutating func count(_ outcome: LegacyRowApplier.Outcome) {
        switch outcome {
        case .created(let corrections):
            created += 1
            if !corrections.isEmpty { needsCorrection += 1 }
        case .updated(let corrections):
            updated += 1
            if !corrections.isEmpty { needsCorrection += 1 }
        case .unchanged: unchanged += 1
        case .conflict: conflicts += 1
        case .rejected: rejected += 1
        }
    }
}

extension LegacyRowApplier.Outcome {
    /// What the import report says of the row, if anything: a record stored needing correction
    /// names its columns and the rules' reasons (never the values).
    func report(line: Int64) -> LegacyRowReport? {
        switch self {
        case .created(let corrections), .updated(let corrections):
            guard !corrections.isEmpty else { return nil }
            let columns = corrections.map { $0.field.hasPrefix("recipient.") ? String($0.field.dropFirst(10)) : $0.field }
            return LegacyRowReport(
                line: line, column: columns[0],
                reason: "stored needing correction: " + zip(columns, corrections).map { "\($0) \($1.reason)" }.joined(separator: ", "),
                outcome: .needsCorrection)
        case .unchanged: return nil
        case .conflict(let reason): return LegacyRowReport(line: line, column: "", reason: reason, outcome: .conflict)
        case .rejected(let column, let reason): return LegacyRowReport(line: line, column: column, reason: reason, outcome: .rejected)
        }
    }
}
