import NIOCore

extension TimeAmount {
    /// The same span, saturating at Int64 nanoseconds (about 292 years) instead of trapping;
    /// negative spans become zero.
    public init(saturating duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow {
            self = .nanoseconds(seconds < 0 ? 0 : .max)
        } else {
            let (sum, overflowSum) = whole.addingReportingOverflow(attoseconds / 1_000_000_000)
            self = .nanoseconds(overflowSum ? .max : max(sum, 0))
        }
    }
}
