/// How far an import from the old system has got, and what it did so far. Every data row read
/// is counted once in `created`, `updated`, `unchanged`, `rejected` or `conflicts`;
/// `needsCorrection` counts the created and updated records stored needing correction.
public struct LegacyImportProgress: Sendable, Hashable {
    public var kind: LegacyExportKind?
    public var rows: Int64 = 0
    public var bytesRead: Int64 = 0
    public var totalBytes: Int64 = 0
    public var created: Int64 = 0
    public var updated: Int64 = 0
    public var unchanged: Int64 = 0
    public var needsCorrection: Int64 = 0
    public var rejected: Int64 = 0
    public var conflicts: Int64 = 0

    public init() {}
}

/// What an import did: the counts and the first rows that were not imported cleanly.
public struct LegacyImportReport: Sendable, Hashable {
    public var progress: LegacyImportProgress
    /// The first `MigrationUseCases.reportedRows`, in line order.
    public var rows: [LegacyRowReport]
    public var dryRun: Bool
}
