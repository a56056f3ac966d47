import LifeApp
import LifeProto

extension Life_V1_ImportLegacyExportResponse {
    /// Progress so far, as the stream sends it.
    init(_ progress: LegacyImportProgress) {
        self.init()
        kind = progress.kind.flatMap { Life_V1_LegacyExportKind(rawValue: $0.rawValue) } ?? .unspecified
        rowCount = progress.rows
        bytesRead = progress.bytesRead
        totalBytes = progress.totalBytes
        createdCount = progress.created
        updatedCount = progress.updated
        unchangedCount = progress.unchanged
        needsCorrectionCount = progress.needsCorrection
        rejectedCount = progress.rejected
        conflictCount = progress.conflicts
    }
}
