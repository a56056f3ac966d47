import Foundation
import LifeClient
import LifeCore
import LifeProto
import LifeWire
import TestSupport
import Testing

/// A full disk for real: lifed, unprivileged, keeps its data folder on a small tmpfs that the
/// test fills. Writes answer RESOURCE_EXHAUSTED (DISK_FULL), reads and the operator's read-only
/// tools keep working, and writes work again, without a restart, once space is freed.
@Suite("Full disk on a real tmpfs")
struct FullDiskTmpfsTests {
    private static let nobody: uid_t = 65534

    @Test(
        "tmpfs full: writes DISK_FULL, reads, db check, audit verify, audit list and a backup elsewhere served; space back, writes work",
        // Mounting needs CAP_SYS_ADMIN: Scripts/test.sh runs this in its privileged pass, where the
        // daemon itself still runs as nobody.
        .enabled(
            if: Privileges.canMount && Privileges.canChangeUser && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"),
            "needs root (CAP_SYS_ADMIN to mount a tmpfs): Scripts/test.sh runs it in its privileged pass"))
    func tmpfsFull() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        chmod(folder.path, 0o755)
        let disk = folder.file("disk")
        let backups = folder.file("backups")
        for path in [disk, backups, folder.file("dev")] {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            chown(path, Self.nobody, Self.nobody)
        }
        let mount = try await ChildProcess.run("/bin/mount", ["-t", "tmpfs", "-o", "size=8m,mode=0755,uid=65534,gid=65534", "tmpfs", disk])
        try #require(mount.status == 0, "mount: \(mount.stderr)")
        defer { _ = umount(disk) }

        let lifed = ChildProcess(
            "/usr/bin/setpriv",
            [
                "--reuid=65534", "--regid=65534", "--clear-groups", Products.path("lifed"), "--dev", "--dev-dir", folder.file("dev"),
                "--dev-port", "0", "--set", "data_dir=\(disk)/data", "--set", "backup.directory=\(backups)",
                "--set", "unix.allow_users=65534,0", "--set", "unix.mode=0666",
            ],
            directory: folder.path)
        try lifed.start()
        let socket = folder.file("dev/lifed.sock")
        try #require(
            await eventually(timeout: .seconds(30)) { FileManager.default.fileExists(atPath: socket) }, "\(lifed.standardError)")
        defer { lifed.signal(SIGKILL) }

        try await LifeClient.withConnection(to: .unix(path: socket)) { client in
            _ = try await client.admin.createFacility(Self.facility(1))
            // Fill the tmpfs, as another process on the same disk would.
            let filler = disk + "/filler"
            _ = FileManager.default.createFile(atPath: filler, contents: nil)
            let handle = try #require(FileHandle(forWritingAtPath: filler))
            let block = Data(repeating: 0x55, count: 64 * 1024)
            while (try? handle.write(contentsOf: block)) != nil {}
            while (try? handle.write(contentsOf: Data(repeating: 0x55, count: 512))) != nil {}
            try? handle.close()

            var serial = 2
            var full: RPCError?
            while full == nil, serial < 200 {
                do {
                    _ = try await client.admin.createFacility(Self.facility(serial))
                    serial += 1
                } catch let error as RPCError {
                    full = error
                }
            }
            #expect(full?.code == .resourceExhausted, "\(String(describing: full))")
            #expect(full?.reason == "DISK_FULL", "\(String(describing: full))")

            let listed = try await client.admin.listFacilities(Life_V1_ListFacilitiesRequest())
            #expect(listed.facilities.count == serial - 1)
            #expect(try await client.admin.checkDatabaseIntegrity(Life_V1_CheckDatabaseIntegrityRequest()).ok)
            #expect(try await client.admin.verifyAuditChain(Life_V1_VerifyAuditChainRequest()).intact)
            #expect(try await !client.admin.listAuditEvents(Life_V1_ListAuditEventsRequest()).events.isEmpty)
            var backup = Life_V1_BackupDatabaseRequest()
            backup.path = "while-full.sqlite"
            var done = false
            for try await progress in try await client.admin.backupDatabase(backup) { done = done || progress.done }
            #expect(done)
            #expect(FileManager.default.fileExists(atPath: backups + "/while-full.sqlite"))

            try FileManager.default.removeItem(atPath: filler)
            _ = try await client.admin.createFacility(Self.facility(serial))
            #expect(try await client.admin.listFacilities(Life_V1_ListFacilitiesRequest()).facilities.count == serial)
        }
        lifed.signal(SIGTERM)
        #expect(await lifed.waitForExit() == 0, "stderr: \(lifed.standardError)")
    }

    private static func facility(_ serial: Int) -> Life_V1_CreateFacilityRequest {
        let nine = String(format: "131%06d", serial)
        var request = Life_V1_CreateFacilityRequest()
        request.facility.facilityNumber = nine + String(FacilityNumber.checkDigit(of: nine.compactMap(\.wholeNumberValue)))
        request.facility.name = "施設 \(serial)"
        return request
    }

}
