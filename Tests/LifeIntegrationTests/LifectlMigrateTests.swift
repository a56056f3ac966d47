import Foundation
import TestSupport
import Testing

private typealias F = TestFacilities
private typealias M = MigrationImportTests

/// `lifectl migrate import` as an operator runs it from a script: both files in order, the
/// counts and reported rows in words, exit 2 when a row was rejected, one JSON object per file.
@Suite("lifectl migrate")
struct LifectlMigrateTests {
    @Test("facilities then recipients through a pipe: counts, reported rows, exit 0 or 2; --dry-run stores nothing; --json")
    func importFromScript() async throws {
        let daemon = try await TestDaemon.start()
        let socket = daemon.daemon.unixListener.address
        let lifectl = Products.path("lifectl")
        try daemon.folder.write("life-export,1,facilities\nfacility_number,name,service_type_codes\n\(F.a),施設A,52\n", to: "facilities.csv")
        try daemon.folder.write(
            M.recipientHeader + M.row(F.a, "A-1", insured: 1) + M.row(F.a, "A-2", insured: 2, ["insurer_number": "111111"]),
            to: "clean.csv")
        try daemon.folder.write(
            M.recipientHeader + M.row(F.a, "A-3", insured: 3) + M.row("1312345695", "X-1", insured: 4), to: "rejects.csv")
        let (facilities, clean, rejects) = (
            daemon.folder.file("facilities.csv"), daemon.folder.file("clean.csv"), daemon.folder.file("rejects.csv")
        )

        let dry = try await ChildProcess.run(lifectl, ["migrate", "import", facilities, "--dry-run", "--socket", socket])
        #expect(dry.status == 0 && dry.stdout.contains("dry run") && dry.stdout.contains("created 1,"), "\(dry.stdout)\(dry.stderr)")
        let plain = try await ChildProcess.run(lifectl, ["migrate", "import", facilities, clean, "--socket", socket])
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(plain.stdout.contains("\(facilities): FACILITIES, 1 row(s)") && plain.stdout.contains("\(clean): RECIPIENTS, 2 row(s)"))
        #expect(
            plain.stdout.contains("created 2, updated 0, unchanged 0, needing correction 1, rejected 0, conflicts 0"), "\(plain.stdout)")
        #expect(plain.stdout.contains("line 4 insurer_number: NEEDS_CORRECTION"), "\(plain.stdout)")
        #expect(!plain.stderr.contains("\r"), "no terminal control codes on a pipe: \(plain.stderr)")

        let rejected = try await ChildProcess.run(lifectl, ["migrate", "import", rejects, "--socket", socket])
        #expect(rejected.status == 2 && rejected.stdout.contains("line 4 facility_number: REJECTED"), "\(rejected.stdout)")

        let json = try await ChildProcess.run(lifectl, ["migrate", "import", facilities, clean, "--json", "--socket", socket])
        #expect(json.status == 0 && json.stderr.isEmpty, "\(json.stderr)")
        let objects = try json.stdout.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(objects.count == 2 && objects.allSatisfy { $0?["done"] as? Bool == true })
        #expect(objects.last??["unchangedCount"] as? String == "2")
        try await daemon.stop()
    }
}
