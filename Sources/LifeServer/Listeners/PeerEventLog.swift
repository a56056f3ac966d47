import Logging
import Synchronization

/// Logs what remote peers can make happen again and again — connections refused, handshakes that
/// fail, protocol errors, connections ended by the peer, streams nobody reads — without letting a
/// flood of them bury the journal: of each kind, the first few of each minute are logged one by
/// one, then one line says how many more there were. One per listener.
final class PeerEventLog: Sendable {
    /// What happened; each kind has its own allowance, so a flood of one hides no other.
    enum Kind: String, Sendable, CaseIterable {
        case refusedAtAccept = "connection(s) refused at accept"
        case handshakeFailed = "handshake(s) that failed or timed out"
        case refusedAtAdmission = "peer(s) refused at admission"
        case connectionEnded = "connection(s) ended for a protocol error, a timeout or a failure"
        case idleClosed = "idle connection(s) closed"
        case streamEnded = "stream(s) ended because the client was not reading"
    }

    private struct Window {
        var start: ContinuousClock.Instant?
        var logged = 0
        var suppressed = 0
    }

    private static let perWindow = 10
    private static let window = Duration.seconds(60)

    private let summaryLogger: Logger
    private let listener: String
    private let windows = Mutex([Kind: Window]())

    init(logger: Logger, listener: String) {
        self.summaryLogger = logger
        self.listener = listener
    }

    /// Logs `message` through `logger` (which carries the peer's metadata) unless this kind has
    /// used its allowance for the current minute.
    func note(
        _ kind: Kind, _ message: @autoclosure () -> Logger.Message, level: Logger.Level = .notice, metadata: Logger.Metadata = [:],
        logger: Logger
    ) {
        let now = ContinuousClock.now
        let (logThis, suppressedBefore) = windows.withLock { windows -> (Bool, Int) in
            var window = windows[kind] ?? Window()
            var suppressedBefore = 0
            if window.start == nil || window.start!.duration(to: now) >= Self.window {
                suppressedBefore = window.suppressed
                window = Window(start: now)
            }
            let logThis = window.logged < Self.perWindow
            if logThis { window.logged += 1 } else { window.suppressed += 1 }
            windows[kind] = window
            return (logThis, suppressedBefore)
        }
        if suppressedBefore > 0 {
            summaryLogger.notice(
                "\(suppressedBefore) more \(kind.rawValue) in the last minute (not logged one by one)",
                metadata: ["listener": "\(listener)"])
        }
        if logThis {
            logger.log(level: level, message(), metadata: metadata.merging(["listener": "\(listener)"]) { mine, _ in mine })
        }
    }
}
