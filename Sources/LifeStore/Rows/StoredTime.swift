import Foundation

/// How times are stored: INTEGER microseconds since 1970-01-01T00:00:00Z.
///
/// This is exactly the integer `AuditChain.hash` feeds into the audit hash, so a stored audit
/// record rebuilt with `date(_:)` re-hashes to the stored hash. Every time the store hands back
/// is normalised the same way, so a value returned by a write equals the value read later.
enum StoredTime {
    /// The stored integer for `date`, rounded to the nearest microsecond as `AuditChain` does.
    static func microseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    /// The stored integer for an optional date.
    static func microseconds(_ date: Date?) -> Int64? {
        date.map { microseconds($0) }
    }

    /// The date a stored integer stands for.
    static func date(_ microseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(microseconds) / 1_000_000)
    }

    /// The date as it reads back after a round trip through storage.
    static func normalized(_ date: Date) -> Date {
        self.date(microseconds(date))
    }

    /// A duration in whole microseconds (truncated), saturating at `Int64.max`.
    static func microseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, overflowSum) = whole.addingReportingOverflow(attoseconds / 1_000_000_000_000)
        return overflowSum ? (whole < 0 ? .min : .max) : sum
    }
}
