import Foundation

/// A process's memory as Linux reports it in /proc/<pid>/status, in KiB.
enum ProcessMemory {
    /// VmRSS (resident now) and VmHWM (the peak resident size so far).
    static func read(_ pid: Int32) -> (rss: Int, peak: Int) {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return (0, 0) }
        func field(_ name: String) -> Int {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return 0 }
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
        }
        return (field("VmRSS"), field("VmHWM"))
    }

    /// Sets VmHWM back to the current resident size (Linux 4.0+), so a later peak is that of
    /// what ran in between.
    static func resetPeak(_ pid: Int32) {
        try? "5".write(toFile: "/proc/\(pid)/clear_refs", atomically: false, encoding: .utf8)
    }

    /// Samples VmRSS every `interval` until `body` returns; gives the highest sample with the
    /// result.
    static func sampling<T: Sendable>(_ pid: Int32, every interval: Duration = .milliseconds(50), _ body: () async throws -> T)
        async throws -> (T, peakKiB: Int)
    {
        let peak = Locked(0)
        let sampler = Task {
            while !Task.isCancelled {
                let rss = read(pid).rss
                peak.withLock { $0 = max($0, rss) }
                try? await Task.sleep(for: interval)
            }
        }
        defer { sampler.cancel() }
        let result = try await body()
        let rss = read(pid).rss
        return (
            result,
            peak.withLock {
                $0 = max($0, rss); return $0
            }
        )
    }
}
