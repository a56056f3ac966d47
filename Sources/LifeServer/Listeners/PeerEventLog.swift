import Logging
import Metrics
import Synchronization

/// Logs what remote peers can make happen again and again — connections refused, handshakes that
/// fail, protocol errors, connections ended by the peer, streams nobody reads — without letting a
/// flood of them bury the journal: of each kind, the first few of each minute are logged one by
/// one, then one line says how many more there were. Every one is counted, logged or not:
/// `lifed_peer_events_total{listener,kind}`, and failed TLS handshakes by reason in
/// `lifed_tls_handshake_failures_total{listener,reason}`. One per listener.
final class PeerEventLog: Sendable {
    /// What happened; each kind has its own allowance, so a flood of one hides no other.
    enum Kind: String, Sendable, CaseIterable {
        case refusedAtAccept = "connection(s) refused at accept"
        case handshakeFailed = "handshake(s) that failed or timed out"
        case refusedAtAdmission = "peer(s) refused at admission"
        case connectionEnded = "connection(s) ended for a protocol error, a timeout or a failure"
        case idleClosed = "idle connection(s) closed"
        case streamEnded = "stream(s) ended because the client was not reading"

        /// The metric label: fixed, never what a peer sent.
        var label: String {
            switch self {
            case .refusedAtAccept: "refused_at_accept"
            case .handshakeFailed: "handshake_failed"
            case .refusedAtAdmission: "refused_at_admission"
            case .connectionEnded: "connection_ended"
            case .idleClosed: "idle_closed"
            case .streamEnded: "stream_ended"
            }
        }
    }

    /// Why a handshake failed, for the metric: a fixed set.
    enum HandshakeFailure: String, Sendable {
        /// The client certificate was refused (chain, CRL, EKU, validity).
        case certificateRefused = "certificate_refused"
        /// TLS handshake and LRPC preface did not complete in time.
        case timeout
        /// The TLS layer failed (no certificate, a protocol version or cipher refused, a reset).
        case tlsError = "tls_error"
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
    private let metrics: any MetricsFactory

    init(logger: Logger, listener: String, metrics: any MetricsFactory = NOOPMetricsHandler.instance) {
        self.summaryLogger = logger
        self.listener = listener
        self.metrics = metrics
    }

    /// Notes a failed handshake: counted by `reason`, logged as `note` does.
    func handshakeFailed(
        _ reason: HandshakeFailure, _ message: @autoclosure () -> Logger.Message, metadata: Logger.Metadata = [:], logger: Logger
    ) {
        Counter(
            label: "lifed_tls_handshake_failures_total", dimensions: [("listener", listener), ("reason", reason.rawValue)], factory: metrics
        )
        .increment()
        note(.handshakeFailed, message(), metadata: metadata, logger: logger)
    }

    /// Logs `message` through `logger` (which carries the peer's metadata) unless this kind has
    /// used its allowance for the current minute.
    func note(
        _ kind: Kind, _ message: @autoclosure () -> Logger.Message, level: Logger.Level = .notice, metadata: Logger.Metadata = [:],
        logger: Logger
    ) {
        Counter(label: "lifed_peer_events_total", dimensions: [("listener", listener), ("kind", kind.label)], factory: metrics).increment()
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
