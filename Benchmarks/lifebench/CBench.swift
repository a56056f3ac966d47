import Foundation

/// Runs the C client's `life-bench` and reads its one result line
/// (`… calls/s N  p50 N us  p99 N us`) into the same statistics as the Swift loads.
enum CBench {
    static func run(_ executable: String, _ arguments: [String]) throws -> LatencyStats {
        let process = try Subprocess.start(executable, arguments)
        process.waitUntilExit()
        let output = (process.standardOutput as? Pipe)?.fileHandleForReading.readDataToEndOfFile() ?? Data()
        let line = String(decoding: output, as: UTF8.self)
        guard process.terminationStatus == 0,
            let match = line.firstMatch(of: /calls (\d+)\s+calls\/s (\d+)\s+p50 (\d+) us\s+p99 (\d+) us/),
            let calls = Int(match.1), let perSecond = Double(match.2), let p50 = Double(match.3), let p99 = Double(match.4)
        else {
            throw ValidationFailure("life-bench failed (exit \(process.terminationStatus)): \(line)")
        }
        var stats = LatencyStats()
        stats.calls = calls
        stats.elapsed = .milliseconds(Int64(Double(calls) / max(perSecond, 1) * 1000))
        stats.reported = [0.5: p50, 0.99: p99]
        return stats
    }
}
