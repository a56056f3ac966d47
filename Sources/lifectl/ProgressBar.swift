import Foundation

/// Progress of long work on standard error: a bar redrawn in place on a terminal, a plain line
/// every few seconds otherwise (a log, a pipe), nothing when the output is JSON.
struct ProgressBar {
    enum Style {
        case terminal, lines, silent
    }

    private let label: String
    private let style: Style
    private let start = ContinuousClock.now
    private var lastDrawn: ContinuousClock.Instant?

    init(label: String, json: Bool) {
        self.label = label
        style = json ? .silent : isatty(STDERR_FILENO) == 1 ? .terminal : .lines
    }

    /// Shows `done` of `total` units (bytes), with `count` items (rows) so far.
    mutating func update(done: Int64, total: Int64, count: Int64, unit: String) {
        let now = ContinuousClock.now
        let every: Duration = style == .terminal ? .milliseconds(100) : .seconds(5)
        guard style != .silent, lastDrawn.map({ $0.duration(to: now) >= every }) ?? true else { return }
        lastDrawn = now
        let elapsed = max(start.duration(to: now).seconds, 0.001)
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 0
        let rate = Double(count) / elapsed
        let eta = fraction > 0.001 ? elapsed * (1 - fraction) / fraction : nil
        let figures =
            "\(String(format: "%3.0f", fraction * 100))%  \(count) \(unit)  \(Int(rate)) \(unit)/s  ETA \(eta.map(Self.clock) ?? "--:--")"
        switch style {
        case .terminal:
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
            FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(figures)\u{1B}[K".utf8))
        case .lines:
            FileHandle.standardError.write(Data("\(label): \(figures)\n".utf8))
        case .silent:
            break
        }
    }

    /// Ends the bar's line on a terminal.
    func finish() {
        if style == .terminal, lastDrawn != nil { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    private static func clock(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        return whole >= 3600
            ? String(format: "%d:%02d:%02d", whole / 3600, whole / 60 % 60, whole % 60) : String(format: "%d:%02d", whole / 60, whole % 60)
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    fileprivate var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
