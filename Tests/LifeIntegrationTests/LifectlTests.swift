import Foundation
import LifeClient
import LifeCore
import LifeProto
import TestSupport
import Testing

/// `lifectl probe` as monitoring runs it, and `lifed --dev` as a new developer does.
@Suite("lifectl and lifed --dev")
struct LifectlTests {
    private func probe(_ arguments: [String], directory: String? = nil) async throws -> (status: Int32, json: [String: Any], stderr: String)
    {
        let result = try await ChildProcess.run(Products.path("lifectl"), ["probe", "--json"] + arguments, directory: directory)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return (result.status, object ?? [:], result.stderr)
    }

    @Test("probe over the Unix socket: SERVING, exit 0, with version, uptime, latency and certificate days")
    func probeUnix() async throws {
        let daemon = try await TestDaemon.start()
        let result = try await probe(["--socket", daemon.daemon.unixListener.address])
        #expect(result.status == 0)
        #expect(result.json["status"] as? String == "SERVING")
        #expect(result.json["version"] as? String != nil)
        #expect(result.json["uptime_seconds"] as? Double != nil)
        #expect((result.json["latency_ms"] as? Double ?? 0) > 0)
        #expect((result.json["certificate_days_left"] as? Int ?? 0) > 300)
        try await daemon.stop()
    }

    @Test("probe over TLS with a facility certificate")
    func probeTLS() async throws {
        let daemon = try await TestDaemon.start()
        let pki = daemon.pki
        let result = try await probe([
            "--tls", "--address", "127.0.0.1:\(daemon.daemon.tlsListener!.port!)",
            "--ca", pki.folder.file("ca.pem"), "--cert", pki.certificatePath(.facilityA), "--key", pki.keyPath(.facilityA),
        ])
        #expect(result.status == 0, "\(result.json) \(result.stderr)")
        #expect(result.json["status"] as? String == "SERVING")
        try await daemon.stop()
    }

    @Test("probe exits 1 when the server certificate expires within --warn-days")
    func probeWarning() async throws {
        let daemon = try await TestDaemon.start()
        let result = try await probe(["--socket", daemon.daemon.unixListener.address, "--warn-days", "1000"])
        #expect(result.status == 1)
        #expect(result.json["status"] as? String == "SERVING")
        try await daemon.stop()
    }

    @Test("probe warns before the earliest client-CA CRL reaches its nextUpdate and is critical once it has passed")
    func probeCRLNextUpdate() async throws {
        let daemon = try await TestDaemon.start()
        let socket = ["--socket", daemon.daemon.unixListener.address]
        let current = try await probe(socket)
        #expect(current.status == 0, "\(current.json)")
        #expect((160...168).contains(current.json["crl_hours_left"] as? Int ?? -1), "a week ahead: \(current.json)")

        let now = Date()
        try daemon.pki.writeCRL(revoking: [.revoked], number: 2, nextUpdate: now.addingTimeInterval(10 * 3600 + 600))
        #expect(daemon.daemon.reload())
        let near = try await probe(socket)
        #expect(near.status == 1, "\(near.json)")
        #expect(near.json["status"] as? String == "SERVING")
        #expect(near.json["crl_hours_left"] as? Int == 10)
        #expect((near.json["message"] as? String ?? "").contains("nextUpdate in 10 hours"))
        #expect(try await probe(socket + ["--crl-warn-hours", "6"]).status == 0)

        try daemon.pki.writeCRL(
            revoking: [.revoked], number: 3, thisUpdate: now.addingTimeInterval(-2 * 86400), nextUpdate: now.addingTimeInterval(-3600))
        #expect(daemon.daemon.reload())
        let passed = try await probe(socket)
        #expect(passed.status == 2, "\(passed.json)")
        #expect((passed.json["message"] as? String ?? "").contains("past its nextUpdate"))
        try await daemon.stop()
    }

    @Test("probe exits 2 when nothing listens, and when the handshake is refused")
    func probeCritical() async throws {
        let folder = try TemporaryDirectory()
        let unreachable = try await probe(["--socket", folder.file("nothing.sock")])
        #expect(unreachable.status == 2)
        #expect(unreachable.json["status"] as? String == "UNREACHABLE")
        folder.remove()

        let daemon = try await TestDaemon.start()
        let pki = daemon.pki
        let refused = try await probe([
            "--tls", "--address", "127.0.0.1:\(daemon.daemon.tlsListener!.port!)",
            "--ca", pki.folder.file("ca.pem"), "--cert", pki.certificatePath(.revoked), "--key", pki.keyPath(.revoked),
        ])
        #expect(refused.status == 2)
        try await daemon.stop()
    }

    @Test(
        "a uid outside the allow-list is refused on the Unix socket",
        // Root only because setpriv must switch to another uid (CAP_SETUID); Scripts/test.sh runs
        // this test in its second, privileged pass.
        .enabled(if: Privileges.canChangeUser && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")))
    func uidRefused() async throws {
        let daemon = try await TestDaemon.start()
        let result = try await ChildProcess.run(
            "/usr/bin/setpriv",
            [
                "--reuid=65534", "--regid=65534", "--clear-groups", Products.path("lifectl"), "probe", "--json", "--socket",
                daemon.daemon.unixListener.address,
            ]
        )
        #expect(result.status == 2, "stdout: \(result.stdout) stderr: \(result.stderr)")
        #expect(result.stdout.contains("may not use the lifed socket"))
        // The owner is still served.
        let owner = try await probe(["--socket", daemon.daemon.unixListener.address])
        #expect(owner.status == 0)
        try await daemon.stop()
    }

    @Test("lifed --dev creates its environment once and lifectl finds it from the same folder")
    func devMode() async throws {
        let folder = try TemporaryDirectory()
        let lifed = ChildProcess(Products.path("lifed"), ["--dev", "--dev-port", "0"], directory: folder.path)
        try lifed.start()
        let socket = folder.file("lifed-dev/lifed.sock")
        #expect(await eventually(timeout: .seconds(20)) { FileManager.default.fileExists(atPath: folder.file("lifed-dev/lifectl.conf")) })
        for name in [
            "ca.pem", "server.pem", "crl.pem", "facility-1312345679.pem", "facility-2712345673-key.pem",
            "facility-1312345679-terminal2.pem",
        ] {
            #expect(FileManager.default.fileExists(atPath: folder.file("lifed-dev/pki/\(name)")), "\(name)")
        }
        #expect(FileManager.default.fileExists(atPath: socket))
        let unix = try await probe([], directory: folder.path)
        #expect(unix.status == 0, "\(unix.json) \(unix.stderr)")
        let tls = try await probe(["--tls"], directory: folder.path)
        #expect(tls.status == 0, "\(tls.json) \(tls.stderr)")
        #expect(lifed.standardOutput.contains("pki/ca.pem"))
        lifed.signal(SIGTERM)
        #expect(await lifed.waitForExit() == 0, "stderr: \(lifed.standardError)")

        // A second start reuses the same CA.
        let ca = try String(contentsOfFile: folder.file("lifed-dev/pki/ca.pem"), encoding: .utf8)
        let again = ChildProcess(Products.path("lifed"), ["--dev", "--dev-port", "0"], directory: folder.path)
        try again.start()
        #expect(await eventually(timeout: .seconds(20)) { (try? await probe([], directory: folder.path).status) == 0 })
        #expect(try String(contentsOfFile: folder.file("lifed-dev/pki/ca.pem"), encoding: .utf8) == ca)
        again.signal(SIGTERM)
        #expect(await again.waitForExit() == 0, "stderr: \(again.standardError)")
        folder.remove()
    }

    @Test("facility list follows every page: 1,100 facilities, each printed once")
    func facilityListFollowsPages() async throws {
        let daemon = try await TestDaemon.start()
        let numbers = (1...1_100).map { serial -> String in
            let nine = String(format: "272%06d", serial)
            return nine + String(FacilityNumber.checkDigit(of: nine.compactMap(\.wholeNumberValue)))
        }
        try await LifeClient.withConnection(to: daemon.unixEndpoint) { client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for chunk in stride(from: 0, to: numbers.count, by: 100) {
                    group.addTask {
                        for number in numbers[chunk..<chunk + 100] {
                            var create = Life_V1_CreateFacilityRequest()
                            create.facility.facilityNumber = number
                            create.facility.name = "施設 \(number)"
                            _ = try await client.admin.createFacility(create)
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        let result = try await ChildProcess.run(
            Products.path("lifectl"), ["facility", "list", "--socket", daemon.daemon.unixListener.address])
        #expect(result.status == 0, "\(result.stderr)")
        let listed = result.stdout.split(separator: "\n").map { String($0.prefix(10)) }
        #expect(listed.count == numbers.count)
        #expect(Set(listed) == Set(numbers))
        try await daemon.stop()
    }
}
