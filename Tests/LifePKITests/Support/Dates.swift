import Foundation

/// Whole-second dates for tests (CRLs and certificates store whole seconds).
enum Dates {
    static func now() -> Date {
        Date(timeIntervalSince1970: Date.now.timeIntervalSince1970.rounded(.down))
    }

    static func days(_ count: Double) -> TimeInterval {
        count * 86_400
    }

    /// A UTC date from components, via ISO 8601.
    static func utc(_ iso8601: String) -> Date {
        ISO8601DateFormatter().date(from: iso8601)!
    }
}
