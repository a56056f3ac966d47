import Foundation
import LifeClient
import LifeProto
import LifeWire
import TestSupport
import Testing

/// Backups land only inside the backup folder (`backup.directory`, by default
/// `<data_dir>/backups`), where the daemon under its systemd unit can write and the operator finds
/// them; every other path is refused with a reason, and the reply names the file written.
@Suite("Backup destinations")
struct BackupDestinationTests {
    private func backup(_ daemon: TestDaemon, _ path: String) async throws -> Life_V1_BackupDatabaseResponse {
        try await LifeClient.withConnection(to: daemon.unixEndpoint) { client in
            var request = Life_V1_BackupDatabaseRequest()
            request.path = path
            var last = Life_V1_BackupDatabaseResponse()
            for try await update in try await client.admin.backupDatabase(request) { last = update }
            return last
        }
    }

    private func refusal(_ daemon: TestDaemon, _ path: String) async -> RPCError? {
        await #expect(throws: RPCError.self) { _ = try await backup(daemon, path) }
    }

    @Test("a file name, an absolute path inside the folder, or nothing: written in the backup folder")
    func accepted() async throws {
        let daemon = try await TestDaemon.start()
        let folder = daemon.folder.file("data/backups")
        let named = try await backup(daemon, "nightly.sqlite")
        #expect(named.done)
        #expect(named.path == folder + "/nightly.sqlite")
        try FileManager.default.createDirectory(atPath: folder + "/weekly", withIntermediateDirectories: false)
        let absolute = try await backup(daemon, folder + "/weekly/1.sqlite")
        #expect(absolute.path == folder + "/weekly/1.sqlite")
        let unnamed = try await backup(daemon, "")
        #expect(unnamed.path.hasPrefix(folder + "/lifed-"))
        #expect(unnamed.path.hasSuffix(".sqlite"))
        for file in [named.path, absolute.path, unnamed.path] {
            #expect(FileManager.default.fileExists(atPath: file), "\(file)")
        }
        try await daemon.stop()
    }

    @Test("paths outside the folder, missing folders and existing files are refused with a reason")
    func refused() async throws {
        let daemon = try await TestDaemon.start()
        let folder = daemon.folder.file("data/backups")
        try FileManager.default.createSymbolicLink(atPath: folder + "/escape", withDestinationPath: daemon.folder.path)
        try FileManager.default.createSymbolicLink(atPath: folder + "/dangling.sqlite", withDestinationPath: daemon.folder.file("none"))
        _ = try await backup(daemon, "taken.sqlite")

        let cases: [(path: String, code: RPCError.Code, reason: String?)] = [
            (daemon.folder.file("outside.sqlite"), .invalidArgument, "OUTSIDE_BACKUP_DIRECTORY"),
            ("/var/tmp/lifed-backup-test.sqlite", .invalidArgument, "OUTSIDE_BACKUP_DIRECTORY"),
            ("../outside.sqlite", .invalidArgument, "OUTSIDE_BACKUP_DIRECTORY"),
            (folder + "/escape/outside.sqlite", .invalidArgument, "OUTSIDE_BACKUP_DIRECTORY"),
            (folder + "/missing/x.sqlite", .invalidArgument, "FOLDER_MISSING"),
            (folder + "/", .invalidArgument, "FORMAT"),
            ("taken.sqlite", .alreadyExists, nil),
            ("dangling.sqlite", .alreadyExists, nil),
        ]
        for refused in cases {
            let error = await refusal(daemon, refused.path)
            #expect(error?.code == refused.code, "\(refused.path): \(String(describing: error))")
            if let reason = refused.reason {
                #expect(error?.fieldViolations.map(\.reason) == [reason], "\(refused.path): \(String(describing: error))")
            }
        }
        for name in ["outside.sqlite"] {
            #expect(!FileManager.default.fileExists(atPath: daemon.folder.file(name)))
        }
        #expect(!FileManager.default.fileExists(atPath: "/var/tmp/lifed-backup-test.sqlite"))
        try await daemon.stop()
    }

    @Test("lifectl backup prints where the file really is")
    func lifectlPrintsLocation() async throws {
        let daemon = try await TestDaemon.start()
        let result = try await ChildProcess.run(
            Products.path("lifectl"), ["backup", "--socket", daemon.daemon.unixListener.address, "from-lifectl.sqlite"])
        #expect(result.status == 0, "\(result.stderr)")
        let expected = daemon.folder.file("data/backups/from-lifectl.sqlite")
        #expect(result.stdout.contains("backup written: \(expected) ("), "\(result.stdout)")
        #expect(FileManager.default.fileExists(atPath: expected))
        try await daemon.stop()
    }
}
