import ArgumentParser
import Foundation
import LifeClient
import LifeProto
import LifeWire
import SwiftProtobuf

/// `lifectl migrate …`: moving the data of the old LIFE into this server (移行).
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Import the files exported from the old LIFE (facilities, then recipients).",
        discussion: "The file format and what an import does are in docs/MIGRATION.md.",
        subcommands: [Import.self]
    )

    /// `lifectl migrate import FILE...`: one `Admin.ImportLegacyExport` call per file, in the order given.
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import files exported from the old LIFE, one after another in the order given.",
            discussion: """
                Format (docs/MIGRATION.md): UTF-8 CSV. Line 1 is `life-export,1,facilities` or \
                `life-export,1,recipients`; line 2 names the columns (any order; an unknown or missing \
                column refuses the file before anything is stored); then one row per record. Give the \
                facilities file first, then the recipients file: a recipient of a facility not \
                registered yet is rejected. Facilities are matched by facility number, recipients by \
                facility number and legacy_id, so importing the same file again changes nothing; a \
                record changed or deleted here since it was imported is not overwritten (CONFLICT). A \
                recipient that today's rules refuse is stored needing correction (要修正). \
                lifed reads each file itself, so its user (lifed under systemd) must be able to read \
                it, and it must lie outside /home, /root and /tmp, which the systemd unit hides from \
                the daemon: /var/lib/lifed/import/ is made for it. Allowed in migration-freeze mode; \
                refused in read-only mode. After each file: the counts and the reported rows (line, \
                column, outcome, reason; the first 20 unless --all-rows). --json prints one JSON \
                object per file, one per line (the last ImportLegacyExportResponse in the proto JSON \
                mapping), and no progress. Exit status: 0 every file imported (rows needing correction \
                included), 1 a call failed (the files after it are not tried), 2 every file imported \
                but some rows were rejected or in conflict.
                """
        )
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: ArgumentHelp("The CSV files, facilities first (each made absolute for the daemon).", valueName: "file"))
        var files: [String]
        @Flag(help: "Read the files and report what an import would do; store nothing.") var dryRun = false
        @Flag(help: "List every reported row, not only the first 20 of each file.") var allRows = false
        @Flag(help: "Print one JSON object per file, and no progress.") var json = false

        /// Reported rows shown per file without --all-rows.
        static let shownRows = 20

        func validate() throws {
            guard !files.isEmpty else { throw ValidationError("give at least one FILE") }
            if let empty = files.first(where: \.isEmpty) { throw ValidationError("FILE must not be empty: \"\(empty)\"") }
        }

        func run() async throws {
            let paths = files.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
            let (dryRun, json, allRows) = (dryRun, json, allRows)
            let results = try await AdminSession.run(connection) { client in
                var results: [Life_V1_ImportLegacyExportResponse] = []
                for (index, path) in paths.enumerated() {
                    let notTried = paths.count - index - 1
                    let done = try await Self.importFile(path, dryRun: dryRun, json: json, client: client, notTried: notTried)
                    if json {
                        print(try done.jsonString())
                    } else {
                        Self.printSummary(done, path: path, allRows: allRows)
                    }
                    fflush(nil)
                    results.append(done)
                }
                return results
            }
            if results.contains(where: { $0.rejectedCount > 0 || $0.conflictCount > 0 }) { throw ExitCode(2) }
        }

        /// One ImportLegacyExport call, with progress; the message with done set. A failure is
        /// reported here, naming the file and how many files after it are not tried, and exits 1.
        private static func importFile(
            _ path: String, dryRun: Bool, json: Bool, client: LifeClient, notTried: Int
        ) async throws -> Life_V1_ImportLegacyExportResponse {
            var request = Life_V1_ImportLegacyExportRequest()
            request.path = path
            request.dryRun = dryRun
            var bar = ProgressBar(label: URL(fileURLWithPath: path).lastPathComponent, json: json)
            var last = Life_V1_ImportLegacyExportResponse()
            do {
                for try await update in try await client.admin.importLegacyExport(request) {
                    if !update.done { bar.update(done: update.bytesRead, total: update.totalBytes, count: update.rowCount, unit: "rows") }
                    last = update
                }
            } catch let error as RPCError {
                bar.finish()
                CommandFailure.report(error)
                notImported(path, dryRun: dryRun, notTried: notTried, why: "the call failed")
                throw ExitCode(1)
            } catch {
                bar.finish()
                throw error
            }
            bar.finish()
            guard last.done else {
                notImported(path, dryRun: dryRun, notTried: notTried, why: "the daemon ended the call before its last message")
                throw ExitCode(1)
            }
            return last
        }

        /// Says on standard error that a file's import did not finish, what became of it and of the files after it.
        private static func notImported(_ path: String, dryRun: Bool, notTried: Int, why: String) {
            let kept = dryRun ? "nothing was stored (dry run)" : "importing it again is safe: the rows already stored count as unchanged"
            let rest = notTried > 0 ? "; \(notTried) later file(s) not tried" : ""
            FileHandle.standardError.write(Data("lifectl: \(path) not imported: \(why); \(kept)\(rest)\n".utf8))
        }

        /// The counts of one file, then its reported rows (line, column, outcome, reason).
        static func printSummary(_ done: Life_V1_ImportLegacyExportResponse, path: String, allRows: Bool) {
            let would = done.dryRun ? " (dry run: nothing stored, counts are what an import would do)" : ""
            print("\(path): \(kind(done.kind)), \(done.rowCount) row(s)\(would)")
            print(
                "  created \(done.createdCount), updated \(done.updatedCount), unchanged \(done.unchangedCount), "
                    + "needing correction \(done.needsCorrectionCount), rejected \(done.rejectedCount), conflicts \(done.conflictCount)")
            let shown = allRows ? done.rows : Array(done.rows.prefix(shownRows))
            for row in shown {
                print("  line \(row.line)\(row.column.isEmpty ? "" : " \(row.column)"): \(outcome(row.outcome)): \(row.reason)")
            }
            if shown.count < done.rows.count {
                print("  … \(done.rows.count - shown.count) more reported row(s); --all-rows lists them")
            }
            let flagged = done.needsCorrectionCount + done.rejectedCount + done.conflictCount
            let listed = Set(done.rows.map(\.line)).count
            if flagged > listed {
                print("  … \(flagged - Int64(listed)) more row(s) counted above but not listed: the daemon lists the first 1,000")
            }
        }

        static func kind(_ kind: Life_V1_LegacyExportKind) -> String {
            switch kind {
            case .facilities: "FACILITIES"
            case .recipients: "RECIPIENTS"
            default: "UNKNOWN KIND"
            }
        }

        static func outcome(_ outcome: Life_V1_LegacyRowOutcome) -> String {
            switch outcome {
            case .rejected: "REJECTED"
            case .needsCorrection: "NEEDS_CORRECTION"
            case .conflict: "CONFLICT"
            default: "REPORTED"
            }
        }
    }
}
