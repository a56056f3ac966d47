/// When a call must be finished. Travels on the wire as a relative timeout (clocks of client and
/// server are not compared).
public struct Deadline: Sendable, Hashable {
    /// The instant, or nil for no deadline.
    public let instant: ContinuousClock.Instant?

    public init(_ instant: ContinuousClock.Instant?) {
        self.instant = instant
    }

    /// No deadline.
    public static let never = Deadline(nil)

    /// A deadline `duration` from now.
    public static func after(_ duration: Duration) -> Deadline {
        Deadline(.now + duration)
    }

    /// Milliseconds left, rounded up, at least 1; nil when there is no deadline.
    public func remainingMilliseconds(now: ContinuousClock.Instant = .now) -> UInt64? {
        guard let instant else { return nil }
        let left = now.duration(to: instant)
        let (seconds, attoseconds) = left.components
        if seconds < 0 || (seconds == 0 && attoseconds <= 0) { return 1 }
        let millis = UInt64(seconds) * 1000 + UInt64((attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
        return max(millis, 1)
    }
}
