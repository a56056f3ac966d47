import Foundation
import Synchronization

/// Slows down a burst of failed logins from one certificate: past `burst` failures within
/// `window`, each further attempt from that certificate waits one more second (at most ten).
/// It never locks anything, so an attacker holding one facility's certificate cannot lock the
/// facility's staff out; accounts lock on their own failure count.
public final class LoginThrottle: Sendable {
    private let burst: Int
    private let window: TimeInterval
    private let failures = Mutex<[String: [Date]]>([:])

    public init(burst: Int, window: Duration) {
        self.burst = burst
        self.window = window.seconds
    }

    /// How long an attempt from `certificate` waits before it is processed.
    public func delay(for certificate: String, now: Date = Date()) -> Duration {
        let recent = failures.withLock { all in
            let kept = (all[certificate] ?? []).filter { now.timeIntervalSince($0) < window }
            all[certificate] = kept.isEmpty ? nil : kept
            return kept.count
        }
        guard recent >= burst else { return .zero }
        return .seconds(min(10, recent - burst + 1))
    }

    public func recordFailure(for certificate: String, now: Date = Date()) {
        failures.withLock { all in
            all[certificate, default: []].append(now)
            if all.count > 100_000 { all.removeAll() }  // Bounded memory under a flood.
        }
    }
}
