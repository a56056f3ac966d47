import Foundation

/// Where rules that depend on the time read it, so tests can set it instead of sleeping.
public protocol WallClock: Sendable {
    func now() -> Date
}

/// The system's time.
public struct SystemClock: WallClock {
    public init() {}

    public func now() -> Date { Date() }
}

extension Date {
    /// This time rounded to the microsecond: the precision storage keeps, so a record returned
    /// by a write equals the record read back.
    public var microsecondPrecision: Date {
        Date(timeIntervalSince1970: Double(Int64((timeIntervalSince1970 * 1_000_000).rounded())) / 1_000_000)
    }
}
