/// Round-trip times of one measurement, and the figures the table shows.
struct LatencyStats: Sendable {
    var samples: [UInt64] = []  // nanoseconds
    var calls = 0
    var elapsed: Duration = .zero
    /// Percentiles in microseconds reported by another program (the C client's life-bench)
    /// instead of samples.
    var reported: [Double: Double] = [:]

    mutating func merge(_ other: LatencyStats) {
        samples += other.samples
        calls += other.calls
    }

    var callsPerSecond: Double {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return seconds > 0 ? Double(calls) / seconds : 0
    }

    func percentile(_ p: Double) -> Double {
        if let value = reported[p] { return value }
        guard !samples.isEmpty else { return 0 }
        let sorted = samples.sorted()
        let index = min(sorted.count - 1, Int(Double(sorted.count) * p))
        return Double(sorted[index]) / 1000  // microseconds
    }
}

extension ContinuousClock.Instant {
    /// Nanoseconds from `self` to now.
    var nanosecondsSince: UInt64 {
        let (seconds, attoseconds) = duration(to: .now).components
        return UInt64(max(0, seconds * 1_000_000_000 + attoseconds / 1_000_000_000))
    }
}
