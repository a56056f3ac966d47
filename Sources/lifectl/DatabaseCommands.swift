import ArgumentParser
import Foundation
import LifeClient
import LifeProto

/// `lifectl backup [NAME|PATH]`: an online, consistent copy of the database, written by lifed
/// into its backup folder.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the database to a new file while lifed keeps serving.",
        discussion: """
            lifed writes the file itself, inside its backup folder (backup.directory; by default \
            <data_dir>/backups, /var/lib/lifed/backups under systemd). Give a file name, an absolute \
            path inside that folder, or nothing for a name from the current time. The path of the \
            finished file is printed.
            """
    )
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "File name in the backup folder, or an absolute path inside it (default: lifed-<time>.sqlite).")
    var path: String = ""

    func run() async throws {
        var request = Life_V1_BackupDatabaseRequest()
        request.path = path
        let done = try await AdminSession.run(connection) { [request] client in
            var last = Life_V1_BackupDatabaseResponse()
            for try await update in try await client.admin.backupDatabase(request) {
                if !update.done, update.totalPages > 0 {
                    FileHandle.standardError.write(Data("\rbackup: \(update.copiedPages * 100 / update.totalPages)%".utf8))
                }
                last = update
            }
            return last
        }
        FileHandle.standardError.write(Data("\n".utf8))
        guard done.done else { throw ExitCode(1) }
        print("backup written: \(done.path) (\(done.sizeBytes) bytes, sha256 \(done.sha256))")
    }
}

/// `lifectl db check`: SQLite's integrity and foreign-key checks.
struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "db", abstract: "Database checks.", subcommands: [Check.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the integrity check; exit 1 if it finds problems.")
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            let result = try await AdminSession.run(connection) { client in try await client.admin.checkDatabaseIntegrity(.init()) }
            if result.ok {
                print("database OK (\(result.durationMs) ms)")
            } else {
                result.problems.forEach { print("problem: \($0)") }
                throw ExitCode(1)
            }
        }
    }
}
