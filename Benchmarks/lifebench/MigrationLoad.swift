import Foundation
import LifeClient
import LifeProto

/// The import from the old system (issue: import rate and peak RSS for 1,000,000 old-system
/// recipients): imports the facilities file, then the recipients file, through the Admin socket
/// while sampling lifed's resident memory and CPU; then the same recipients file again, where
/// every row is unchanged. Each import's counts are checked against what the file was written
/// with.
enum MigrationLoad {
    struct Settings {
        var unix: ClientEndpoint
        var daemon: Int32
        var facilitiesFile: String
        var recipientsFile: String
        var expected: LegacyExportWriter.Expected
        var writeSeconds: Double
        /// lifed's database file, whose size (with its WAL) is reported after each import.
        var database: String
    }

    /// What /proc/<pid>/io and the user/system split of /proc/<pid>/stat say of a process: where
    /// its CPU goes without a profiler.
    struct Kernel: Sendable {
        var user = 0.0
        var system = 0.0
        var readCalls = 0
        var writeCalls = 0
        var bytesWritten = 0
        var bytesRead = 0

        static func read(_ pid: Int32) -> Kernel {
            var kernel = Kernel()
            if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let afterName = stat.range(of: ") ", options: .backwards)
            {
                let fields = stat[afterName.upperBound...].split(separator: " ")
                let tick = Double(sysconf(Int32(_SC_CLK_TCK)))
                if fields.count > 12 {
                    kernel.user = (Double(fields[11]) ?? 0) / tick
                    kernel.system = (Double(fields[12]) ?? 0) / tick
                }
            }
            let io = (try? String(contentsOfFile: "/proc/\(pid)/io", encoding: .utf8)) ?? ""
            for line in io.split(separator: "\n") {
                let parts = line.split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, let value = Int(parts[1]) else { continue }
                switch parts[0] {
                case "syscr": kernel.readCalls = value
                case "syscw": kernel.writeCalls = value
                case "read_bytes": kernel.bytesRead = value
                case "write_bytes": kernel.bytesWritten = value
                default: break
                }
            }
            return kernel
        }

        func since(_ earlier: Kernel) -> Kernel {
            Kernel(
                user: user - earlier.user, system: system - earlier.system, readCalls: readCalls - earlier.readCalls,
                writeCalls: writeCalls - earlier.writeCalls, bytesWritten: bytesWritten - earlier.bytesWritten,
                bytesRead: bytesRead - earlier.bytesRead)
        }
    }

    /// One import of one file.
    struct Pass {
        var last = Life_V1_ImportLegacyExportResponse()
        var seconds = 0.0
        var peakKiB = 0
        var highWaterKiB = 0
        var rssBeforeKiB = 0
        var load = ""
        var lifedCPU = ProcessCPU()
        /// The benchmark's own CPU (the client reading the progress stream).
        var clientCPU = ProcessCPU()
        var progressMessages = 0
        var kernel = Kernel()
        /// Seconds from the start at which each progress message arrived, with its row count.
        var progress: [(rows: Int64, seconds: Double)] = []
        /// lifed's database and its WAL after the import, bytes.
        var databaseBytes = 0
    }

    struct Results {
        var facilities = Pass()
        var first = Pass()
        var second = Pass()
    }

    static func run(_ settings: Settings) async throws -> Results {
        try await LifeClient.withConnection(to: settings.unix) { client in
            // As an operator moving from the old LIFE would (docs/MIGRATION.md).
            var mode = Life_V1_SetOperatingModeRequest()
            mode.mode = .migrationFreeze
            mode.reason = "lifebench --migration-only"
            _ = try await client.admin.setOperatingMode(mode)
        }
        var results = Results()
        let expected = settings.expected
        results.facilities = try await importFile(settings.facilitiesFile, settings, label: "facilities")
        try check(
            "facilities", results.facilities.last, rows: expected.facilities,
            created: Int64(expected.facilities), unchanged: 0, needsCorrection: 0, rejected: 0)
        let valid = Int64(expected.rows) - expected.rejected
        results.first = try await importFile(settings.recipientsFile, settings, label: "recipients")
        try check(
            "recipients (first import)", results.first.last, rows: expected.rows, created: valid, unchanged: 0,
            needsCorrection: expected.needsCorrection, rejected: expected.rejected)
        results.second = try await importFile(settings.recipientsFile, settings, label: "recipients again")
        try check(
            "recipients (second import)", results.second.last, rows: expected.rows, created: 0, unchanged: valid, needsCorrection: 0,
            rejected: expected.rejected)
        return results
    }

    private static func importFile(_ path: String, _ settings: Settings, label: String) async throws -> Pass {
        var pass = Pass()
        pass.rssBeforeKiB = ProcessMemory.read(settings.daemon).rss
        ProcessMemory.resetPeak(settings.daemon)
        pass.load = VerificationLoad.loadAverage()
        let cpuBefore = ProcessCPU.read(settings.daemon)
        let clientBefore = ProcessCPU.read(getpid())
        let kernelBefore = Kernel.read(settings.daemon)
        let start = ContinuousClock.now
        let (outcome, peak) = try await ProcessMemory.sampling(settings.daemon) {
            try await LifeClient.withConnection(to: settings.unix) { client in
                var request = Life_V1_ImportLegacyExportRequest()
                request.path = path
                var last = Life_V1_ImportLegacyExportResponse()
                var messages: [(rows: Int64, seconds: Double)] = []
                var shown = ContinuousClock.now
                for try await update in try await client.admin.importLegacyExport(request) {
                    last = update
                    messages.append((update.rowCount, VerificationLoad.seconds(start.duration(to: .now))))
                    if update.done || shown.duration(to: .now) > .milliseconds(500) {
                        shown = .now
                        FileHandle.standardError.write(
                            Data("\r\(label): \(update.rowCount) rows, \(update.bytesRead)/\(update.totalBytes) bytes   ".utf8))
                    }
                }
                return (last, messages)
            }
        }
        pass.seconds = VerificationLoad.seconds(start.duration(to: .now))
        pass.lifedCPU = ProcessCPU.read(settings.daemon).since(cpuBefore)
        pass.clientCPU = ProcessCPU.read(getpid()).since(clientBefore)
        pass.last = outcome.0
        pass.progress = outcome.1
        pass.progressMessages = outcome.1.count
        pass.kernel = Kernel.read(settings.daemon).since(kernelBefore)
        pass.databaseBytes = [settings.database, settings.database + "-wal"].reduce(0) { total, path in
            total + ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0)
        }
        pass.peakKiB = peak
        pass.highWaterKiB = ProcessMemory.read(settings.daemon).peak
        let last = pass.last
        FileHandle.standardError.write(
            Data(
                ("\n\(label): \(last.rowCount) rows in " + String(format: "%.1f s: ", pass.seconds)
                    + "created \(last.createdCount), updated \(last.updatedCount), unchanged \(last.unchangedCount), "
                    + "needing correction \(last.needsCorrectionCount), rejected \(last.rejectedCount), conflicts \(last.conflictCount)\n")
                    .utf8))
        guard last.done else { throw ValidationFailure("\(label): the import ended without its last message (done)") }
        return pass
    }

    /// Fails loudly unless every row is counted once in created, unchanged or rejected, and the
    /// counts are those the file was written with.
    private static func check(
        _ label: String, _ last: Life_V1_ImportLegacyExportResponse, rows: Int, created: Int64, unchanged: Int64, needsCorrection: Int64,
        rejected: Int64
    ) throws {
        let sum = last.createdCount + last.unchangedCount + last.rejectedCount
        print(
            "check \(label): created \(last.createdCount) + unchanged \(last.unchangedCount) + rejected \(last.rejectedCount) = \(sum); "
                + "rows \(last.rowCount) (written \(rows)): "
                + (sum == last.rowCount && last.rowCount == Int64(rows) ? "ok" : "**MISMATCH**"))
        var problems: [String] = []
        if last.rowCount != Int64(rows) { problems.append("\(last.rowCount) rows read, \(rows) written") }
        if sum != last.rowCount { problems.append("created + unchanged + rejected = \(sum), not the \(last.rowCount) rows read") }
        if last.updatedCount != 0 || last.conflictCount != 0 {
            problems.append("\(last.updatedCount) updated and \(last.conflictCount) conflicts, expected none")
        }
        if last.createdCount != created { problems.append("created \(last.createdCount), expected \(created)") }
        if last.unchangedCount != unchanged { problems.append("unchanged \(last.unchangedCount), expected \(unchanged)") }
        if last.needsCorrectionCount != needsCorrection {
            problems.append("needing correction \(last.needsCorrectionCount), expected \(needsCorrection)")
        }
        if last.rejectedCount != rejected { problems.append("rejected \(last.rejectedCount), expected \(rejected)") }
        guard problems.isEmpty else {
            let reported = last.rows.prefix(5).map { "line \($0.line) \($0.column): \($0.reason)" }.joined(separator: "; ")
            throw ValidationFailure(
                "\(label): the counts differ from the file written: " + problems.joined(separator: "; ") + "; first reported rows: "
                    + reported)
        }
    }

    /// The table the README shows, then the details behind it.
    static func report(_ results: Results, _ settings: Settings) -> String {
        let expected = settings.expected
        func rate(_ pass: Pass) -> Double { Double(pass.last.rowCount) / max(pass.seconds, 1e-9) }
        func peakMiB(_ pass: Pass) -> Double { Double(max(pass.peakKiB, pass.highWaterKiB)) / 1024 }
        func row(_ name: String, _ pass: Pass) -> String {
            "| \(name) | "
                + String(
                    format: "%.0f (%lld rows in %.1f s) | %.0f MiB (%.0f before) | %.1f (%.0f rows/CPU-s) | %.1f | %.1f |", rate(pass),
                    pass.last.rowCount, pass.seconds, peakMiB(pass), Double(pass.rssBeforeKiB) / 1024, pass.lifedCPU.running,
                    Double(pass.last.rowCount) / max(pass.lifedCPU.running, 1e-9), pass.lifedCPU.waiting, pass.clientCPU.running)
        }
        var lines = [
            "| import (Admin socket) | rows/s | lifed peak RSS | lifed CPU-s | lifed waited for a CPU, s | lifebench CPU-s |",
            "|---|---:|---:|---:|---:|---:|",
            row("facilities", results.facilities),
            row("recipients, first import (all new)", results.first),
            row("recipients, same file again (all unchanged)", results.second),
        ]
        let first = results.first.last
        lines.append("")
        lines.append(
            "files: \(expected.facilities) facilities, \(expected.rows) recipient rows, "
                + String(format: "%.0f MiB, written in %.1f s", Double(expected.bytes) / 1_048_576, settings.writeSeconds))
        lines.append(
            "first import: created \(first.createdCount) (needing correction \(first.needsCorrectionCount)), rejected \(first.rejectedCount); "
                + "second: unchanged \(results.second.last.unchangedCount), rejected \(results.second.last.rejectedCount); as the file was written"
        )
        for (name, pass) in [("facilities", results.facilities), ("first", results.first), ("second", results.second)] {
            let kernel = pass.kernel
            lines.append(
                "\(name): RSS sampled every 50 ms peaked at \(pass.peakKiB / 1024) MiB, VmHWM (reset before it) \(pass.highWaterKiB / 1024) MiB; "
                    + "load average \(pass.load); \(pass.progressMessages) progress messages")
            lines.append(
                "  lifed CPU "
                    + String(
                        format:
                            "%.1f s user + %.1f s system; %d read and %d write calls, %.0f MiB written to disk, %.0f MiB read; database + WAL %.0f MiB after",
                        kernel.user, kernel.system, kernel.readCalls, kernel.writeCalls, Double(kernel.bytesWritten) / 1_048_576,
                        Double(kernel.bytesRead) / 1_048_576, Double(pass.databaseBytes) / 1_048_576))
            // Rate over each tenth of the file, to see whether it falls as the tables grow.
            if pass.last.rowCount >= 10_000 {
                var tenths: [String] = []
                var previous: (rows: Int64, seconds: Double) = (0, 0)
                for tenth in 1...10 {
                    let target = pass.last.rowCount * Int64(tenth) / 10
                    guard let point = pass.progress.first(where: { $0.rows >= target }) else { break }
                    tenths.append(String(format: "%.0f", Double(point.rows - previous.rows) / max(point.seconds - previous.seconds, 1e-9)))
                    previous = point
                }
                lines.append("  rows/s by tenth of the file: " + tenths.joined(separator: ", "))
            }
        }
        return lines.joined(separator: "\n")
    }
}
