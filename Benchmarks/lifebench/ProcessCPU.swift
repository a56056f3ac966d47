import Foundation

/// A process's CPU time (utime + stime of /proc/<pid>/stat, every thread that ever ran) and the
/// time its threads waited for a CPU while runnable (summed over /proc/<pid>/task/*/schedstat),
/// in seconds. On a machine other jobs keep busy, work per CPU-second shows what the daemon
/// would do with the cores to itself.
struct ProcessCPU: Sendable {
    var running = 0.0
    var waiting = 0.0

    static func read(_ pid: Int32) -> ProcessCPU {
        var total = ProcessCPU()
        if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let afterName = stat.range(of: ") ", options: .backwards)
        {
            // Fields after the command name: state is field 3, utime 14 and stime 15.
            let fields = stat[afterName.upperBound...].split(separator: " ")
            if fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) {
                total.running = (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
            }
        }
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        for task in tasks {
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/schedstat", encoding: .utf8) else { continue }
            let values = text.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            if values.count >= 2 { total.waiting += values[1] / 1e9 }
        }
        return total
    }

    /// Seconds spent running and waiting since `earlier` (the wait of threads that ended
    /// meanwhile is lost, so it is a lower bound).
    func since(_ earlier: ProcessCPU) -> ProcessCPU {
        ProcessCPU(running: max(0, running - earlier.running), waiting: max(0, waiting - earlier.waiting))
    }
}
