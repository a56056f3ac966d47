import GRDB
import LifeCore

/// A `Sequence` over the rows of a GRDB cursor of `audit_event`, so `AuditChain.verify` can walk
/// the table one row at a time without loading it.
///
/// `Sequence` cannot throw: the first read or decoding error ends the sequence early and is kept
/// in `failure`. A caller must check `failure` after iterating, or it would take a prefix of the
/// table for the whole of it.
final class AuditRecordCursorSequence: Sequence, IteratorProtocol {
    private let cursor: RowCursor
    /// The error that ended the sequence early, if any.
    private(set) var failure: (any Error)?

    /// Wraps a cursor selecting `AuditRecord.selection` in ascending sequence order.
    init(_ cursor: RowCursor) {
        self.cursor = cursor
    }

    func next() -> AuditRecord? {
        guard failure == nil else { return nil }
        do {
            return try cursor.next().map { try AuditRecord(row: $0) }
        } catch {
            failure = error
            return nil
        }
    }
}
