import Foundation
import TestSupport
import Testing

private typealias F = TestFacilities

/// lifectl as facility staff use it: login over TLS (first login changes the password), then
/// recipient create, list, get, update with a version, delete; errors with their fields.
@Suite("lifectl login and recipient")
struct LifectlRecipientTests {
    @Test("login keeps a 0600 session; recipient create/list/get/update/delete; a stale update and bad input exit 1")
    func staffStory() async throws {
        let daemon = try await TestDaemon.start()
        try await F.seed(daemon)
        let folder = daemon.folder
        try folder.write(F.initialPassword + "\n", to: "old.txt")
        try folder.write(F.newPassword + "\n", to: "new.txt")
        let tls = [
            "--address", "127.0.0.1:\(daemon.daemon.tlsListener!.port!)", "--ca", folder.file("ca.pem"),
            "--cert", daemon.pki.certificatePath(.facilityA), "--key", daemon.pki.keyPath(.facilityA),
            "--session-file", folder.file("session/token"),
        ]
        func lifectl(_ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
            try await ChildProcess.run(Products.path("lifectl"), arguments, directory: folder.path)
        }

        let login = try await lifectl(["login", "admin-a", "--password-file", "old.txt", "--new-password-file", "new.txt"] + tls)
        #expect(login.status == 0, "\(login.stderr)")
        let attributes = try FileManager.default.attributesOfItem(atPath: folder.file("session/token"))
        #expect((attributes[.posixPermissions] as? Int) == 0o600)

        let fields = [
            "--insurer", "131011", "--insured", "H123456789", "--name", "山田 花子", "--kana", "ヤマダ ハナコ", "--sex", "female",
            "--birth", "1940-02-29", "--care-level", "22", "--service", "2A", "--physical", "4", "--dementia", "3",
        ]
        let created = try await lifectl(["recipient", "create", "--json"] + fields + tls)
        #expect(created.status == 0, "\(created.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any]
        let id = try #require(object?["id"] as? String)

        let listed = try await lifectl(["recipient", "list"] + tls)
        #expect(listed.status == 0)
        #expect(listed.stdout.contains(id))
        #expect(listed.stdout.contains("ヤマダ\u{3000}ハナコ"))

        let updated = try await lifectl(["recipient", "update", id, "--version", "1", "--care-level", "25"] + tls)
        #expect(updated.status == 0, "\(updated.stderr)")
        #expect(updated.stdout.contains("version\t2"))
        let stale = try await lifectl(["recipient", "update", id, "--version", "1", "--care-level", "24"] + tls)
        #expect(stale.status == 1)
        #expect(stale.stderr.contains("ABORTED"))

        let bad = try await lifectl(["recipient", "create"] + fields.map { $0 == "131011" ? "111111" : $0 } + tls)
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("recipient.insurer_number: CHECK_DIGIT_MISMATCH"))

        let deleted = try await lifectl(["recipient", "delete", id, "--version", "2"] + tls)
        #expect(deleted.status == 0, "\(deleted.stderr)")
        let gone = try await lifectl(["recipient", "get", id] + tls)
        #expect(gone.status == 1)
        #expect(gone.stderr.contains("NOT_FOUND"))
        try await daemon.stop()
    }
}
