import Foundation
import TestSupport
import Testing

/// `lifectl registry import` as an operator runs it from a script: plain progress lines on a
/// pipe, only JSON with --json, exit 2 when rows were skipped, and the result in words.
@Suite("lifectl registry")
struct LifectlRegistryTests {
    @Test("import through a pipe: progress as plain lines, the result, exit 0; --json prints one object; skipped rows exit 2")
    func importFromScript() async throws {
        let daemon = try await TestDaemon.start()
        let socket = daemon.daemon.unixListener.address
        var rows = "insurer_number,insured_number,birth_date,sex\n"
        for n in 0..<30_000 { rows += "131011,\(String(format: "%010d", n)),1940-04-01,\(1 + n % 2)\n" }
        try daemon.folder.write(rows, to: "records.csv")
        let lifectl = Products.path("lifectl")

        let plain = try await ChildProcess.run(lifectl, ["registry", "import", daemon.folder.file("records.csv"), "--socket", socket])
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(plain.stderr.contains("import: ") && plain.stderr.contains("rows/s") && !plain.stderr.contains("\r"), "\(plain.stderr)")
        #expect(
            plain.stdout.contains("imported 30000 row(s): 0 invalid; 30000 record(s) stored for 1 changed insurer(s)"), "\(plain.stdout)")

        let json = try await ChildProcess.run(
            lifectl, ["registry", "import", daemon.folder.file("records.csv"), "--json", "--socket", socket])
        #expect(json.status == 0 && json.stderr.isEmpty, "\(json.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["done"] as? Bool == true)
        #expect(object?["unchangedInsurerNumbers"] as? [String] == ["131011"])

        try daemon.folder.write(rows + "131011,0000000001,1940-13-01,2\n", to: "bad.csv")
        let refused = try await ChildProcess.run(lifectl, ["registry", "import", daemon.folder.file("bad.csv"), "--socket", socket])
        #expect(refused.status == 1 && refused.stderr.contains("line 30002"), "\(refused.stderr)")
        let skipped = try await ChildProcess.run(
            lifectl, ["registry", "import", daemon.folder.file("bad.csv"), "--skip-invalid", "--socket", socket])
        #expect(skipped.status == 2, "\(skipped.stderr)")
        #expect(skipped.stdout.contains("line 30002 birth_date: must be a real date written YYYY-MM-DD"), "\(skipped.stdout)")
        try await daemon.stop()
    }
}
