import Logging
import Synchronization

/// Logs the connections a listener refuses at accept without flooding the journal when it is
/// under attack: the first few of each minute one by one, then a single line saying how many
/// more there were.
final class RefusalLog: Sendable {
    private struct State {
        var windowStart: ContinuousClock.Instant?
        var logged = 0
        var suppressed = 0
    }

    private static let perWindow = 10
    private static let window = Duration.seconds(60)

    private let logger: Logger
    private let listener: String
    private let state = Mutex(State())

    init(logger: Logger, listener: String) {
        self.logger = logger
        self.listener = listener
    }

    func note(_ reason: String, remote: String?) {
        let now = ContinuousClock.now
        let (logThis, suppressedBefore) = state.withLock { state -> (Bool, Int) in
            var suppressedBefore = 0
            if let start = state.windowStart, start.duration(to: now) < Self.window {
                // Same window.
            } else {
                suppressedBefore = state.suppressed
                state = State(windowStart: now)
            }
            guard state.logged < Self.perWindow else {
                state.suppressed += 1
                return (false, suppressedBefore)
            }
            state.logged += 1
            return (true, suppressedBefore)
        }
        if suppressedBefore > 0 {
            logger.notice(
                "\(suppressedBefore) more connection(s) were refused at accept in the last minute (not logged one by one)",
                metadata: ["listener": "\(listener)"])
        }
        if logThis {
            logger.notice(
                "connection refused at accept: \(reason)", metadata: ["listener": "\(listener)", "remote": "\(remote ?? "local")"])
        }
    }
}
