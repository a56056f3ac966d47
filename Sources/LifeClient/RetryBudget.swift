import Synchronization

/// Caps the retries of one `LifeChannel` as a share of its calls, so that a server in trouble
/// is not flooded with repeats: a token bucket that starts full with `maxTokens`; every call adds
/// `tokenRatio` (up to `maxTokens`), every retry takes one, and a retry is made only while a whole
/// token is left. (gRPC's retry throttling charges each failure instead; charging the retries
/// means the burst of calls that one GOAWAY refuses costs one token each, and a long outage stops
/// the retries once the bucket is empty, until calls succeed again.)
public final class RetryBudget: Sendable {
    public struct Configuration: Sendable, Hashable {
        /// Retries that may be made at once before calls have refilled the bucket.
        public var maxTokens: Double
        /// Retries earned per call: 0.2 allows about one retry for every five calls.
        public var tokenRatio: Double

        public init(maxTokens: Double = 20, tokenRatio: Double = 0.2) {
            self.maxTokens = max(0, maxTokens)
            self.tokenRatio = max(0, tokenRatio)
        }
    }

    private let configuration: Configuration
    private let tokens: Mutex<Double>

    public init(_ configuration: Configuration) {
        self.configuration = configuration
        tokens = Mutex(configuration.maxTokens)
    }

    /// A call starts (its first attempt).
    func deposit() {
        tokens.withLock { $0 = min(configuration.maxTokens, $0 + configuration.tokenRatio) }
    }

    /// Takes one token for a retry; false when none is left.
    func withdraw() -> Bool {
        tokens.withLock { tokens in
            guard tokens >= 1 else { return false }
            tokens -= 1
            return true
        }
    }

    /// Tokens now in the bucket.
    public var available: Double { tokens.withLock { $0 } }
}
