import Foundation
import LifeCore

/// What an import of qualification records is asked to do.
public struct QualificationImportRequest: Sendable, Hashable {
    public var path: String
    /// Read and check only; store nothing.
    public var validateOnly: Bool
    /// Import the valid rows and report the invalid ones, instead of importing nothing.
    public var skipInvalid: Bool

    public init(path: String, validateOnly: Bool = false, skipInvalid: Bool = false) {
        self.path = path
        self.validateOnly = validateOnly
        self.skipInvalid = skipInvalid
    }
}

/// How far an import has got.
public struct QualificationImportProgress: Sendable, Hashable {
    public var rows: Int64 = 0
    public var invalidRows: Int64 = 0
    public var bytesRead: Int64 = 0
    public var totalBytes: Int64 = 0

    public init() {}
}

/// What an import did.
public struct QualificationImportReport: Sendable {
    public var progress: QualificationImportProgress
    /// Records now in force for the insurers that changed.
    public var importedCount: Int64
    public var changedInsurers: [InsurerNumber]
    public var unchangedInsurers: [InsurerNumber]
    /// The first `QualificationImport.reportedErrors` problems.
    public var errors: [QualificationRowParser.RowError]
    /// The re-check it started, if any.
    public var job: VerificationJob?
}

/// Reads a qualification file into a new registry generation in chunks (each its own unit of
/// work, so ordinary calls go on between them), then, when every row is valid or invalid rows
/// are to be skipped, makes it current for the insurers whose records differ from the stored
/// ones, all in one unit. Memory stays bounded: one chunk, one digest per insurer, and the
/// first errors.
struct QualificationImport {
    static let chunkRows = 20_000
    static let reportedErrors = 1_000

    let store: any TransactionalStore
    let request: QualificationImportRequest
    let today: CalendarDate

    /// Stages the file; returns the staging generation (nil for validate-only), the digest of
    /// each insurer's valid rows, the progress and the first errors.
    func stage(progress report: @Sendable (QualificationImportProgress) -> Void) async throws
        -> (
            generation: Int64?, digests: [InsurerNumber: RegistryDigest], progress: QualificationImportProgress,
            errors: [QualificationRowParser.RowError]
        )
    {
        let file = try ImportFile(path: request.path)
        defer { file.close() }
        var progress = QualificationImportProgress()
        progress.totalBytes = file.totalBytes
        var reader = CSVRecordReader(handle: file.handle)
        guard let header = try reader.next() else {
            throw DomainError.failedPrecondition("\(request.path) is empty: it needs a header line")
        }
        let parser = try QualificationRowParser(header: header.fields, today: today)
        let generation = request.validateOnly ? nil : try await store.unitOfWork { try $0.beginGeneration() }
        var digests: [InsurerNumber: RegistryDigest] = [:]
        var errors: [QualificationRowParser.RowError] = []
        var chunk: [StagedRecord] = []
        // While one chunk is staged the next is read: the errors found reading it wait in
        // `found` until the staged chunk's are noted, so they are listed in line order.
        var staging: (records: [StagedRecord], task: Task<[StagingConflict], any Error>)?
        var found: [QualificationRowParser.RowError] = []
        func note(_ rowErrors: [QualificationRowParser.RowError]) {
            errors.append(contentsOf: rowErrors.prefix(max(0, Self.reportedErrors - errors.count)))
        }
        func settle() async throws {
            guard let (records, task) = staging else { return }
            staging = nil
            let conflicts = try await task.value
            let skipped = Dictionary(conflicts.map { ($0.line, $0) }, uniquingKeysWith: { first, _ in first })
            for staged in records {
                guard let conflict = skipped[staged.line] else {
                    digests[staged.record.insurerNumber, default: RegistryDigest()].add(staged.record)
                    continue
                }
                if !conflict.identical {
                    progress.invalidRows += 1
                    note([
                        .init(
                            line: staged.line, column: "",
                            reason: "another row (line \(conflict.earlierLine)) has the same insurer_number, insured_number and valid_from")
                    ])
                }
            }
        }
        func flush() async throws {
            defer { chunk.removeAll(keepingCapacity: true) }
            try await settle()
            note(found)
            found.removeAll()
            guard let generation, !chunk.isEmpty else {
                for staged in chunk { digests[staged.record.insurerNumber, default: RegistryDigest()].add(staged.record) }
                return
            }
            let (records, store) = (chunk, store)
            staging = (records, Task { try await store.unitOfWork { try $0.stage(records, generation: generation) } })
        }
        do {
            while let record = try reader.next() {
                progress.rows += 1
                switch parser.parse(record.fields, line: record.line) {
                case .success(let parsed): chunk.append(StagedRecord(record: parsed, line: record.line))
                case .failure(let failed):
                    progress.invalidRows += 1
                    if errors.count + found.count < Self.reportedErrors { found.append(contentsOf: failed.errors) }
                }
                if chunk.count >= Self.chunkRows {
                    try await flush()
                    progress.bytesRead = reader.bytesRead
                    report(progress)
                    try Task.checkCancellation()
                }
            }
            try await flush()
            try await settle()
        } catch {
            if let (_, task) = staging {
                task.cancel()
                _ = try? await task.value
            }
            // Also when the call was cancelled: the clean-up runs on a task of its own.
            if let generation { await Task { try? await discard(generation) }.value }
            throw error
        }
        progress.bytesRead = reader.bytesRead
        report(progress)
        return (generation, digests, progress, errors)
    }

    /// Marks a staging generation garbage.
    func discard(_ generation: Int64) async throws {
        try await store.unitOfWork { unit in
            try unit.discard(generation: generation, insurer: nil)
            try unit.endStaging(generation: generation)
        }
    }
}
