import Foundation
import LifeClient
import LifeProto
import LifeStore
import LifeWire
import TestSupport
import Testing

@testable import LifeCore

/// The audit log as operators read it, acknowledged writes surviving kill -9, online backups.
@Suite("Audit and durability")
struct AuditAndDurabilityTests {
    private typealias F = TestFacilities

    /// The n-th fictional facility number with a valid check digit.
    private static func facilityNumber(_ n: Int) -> String {
        let nine = String(format: "139%06d", n)
        let digits = nine.compactMap(\.wholeNumberValue)
        return nine + String(FacilityNumber.checkDigit(of: digits))
    }

    private static func createFacility(_ client: LifeClient, _ n: Int) async throws {
        var request = Life_V1_CreateFacilityRequest()
        request.facility.facilityNumber = facilityNumber(n)
        request.facility.name = "施設\(n)"
        _ = try await client.admin.createFacility(request)
    }

    @Test("logins are audited with their real reason, never a password; the chain verifies; lifectl shows it")
    func auditTrail() async throws {
        let daemon = try await TestDaemon.start()
        try await F.seed(daemon)
        try await LifeClient.withConnection(to: daemon.tlsEndpoint(.facilityA)) { client in
            _ = try? await F.login(client, "admin-a", "Wrong-2026")
            _ = try await F.login(client, "admin-a", F.initialPassword)
        }
        _ = try? await LifeClient.withConnection(to: daemon.tlsEndpoint(.facilityB)) { try await F.login($0, "admin-a", F.initialPassword) }

        let socket = daemon.daemon.unixListener.address
        let verify = try await ChildProcess.run(Products.path("lifectl"), ["audit", "verify", "--socket", socket])
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        #expect(verify.stdout.contains("audit chain intact"))
        let tail = try await ChildProcess.run(Products.path("lifectl"), ["audit", "tail", "-n", "50", "--socket", socket])
        #expect(tail.status == 0)
        #expect(tail.stdout.contains("/life.v1.Auth/Login"))
        #expect(tail.stdout.contains("WRONG_PASSWORD"))
        #expect(tail.stdout.contains("UNKNOWN_LOGIN_ID"), "facility B's certificate does not know admin-a")
        #expect(tail.stdout.contains("/life.v1.Admin/CreateFacilityAdmin"))
        #expect(!tail.stdout.contains(F.initialPassword) && !tail.stdout.contains("Wrong-2026"))
        try await daemon.stop()
    }

    @Test("ListAuditEvents pages in storage: full pages newest first, every matching event once; tokens bound to the filter")
    func auditPaging() async throws {
        let daemon = try await TestDaemon.start()
        try await LifeClient.withConnection(to: daemon.unixEndpoint) { client in
            for n in 1...120 {
                try await Self.createFacility(client, n)
                if n % 3 == 0 { _ = try await client.admin.listFacilities(.init()) }
            }
            var request = Life_V1_ListAuditEventsRequest()
            request.method = "/life.v1.Admin/CreateFacility"
            request.page.pageSize = 50
            var pages: [[Life_V1_AuditEvent]] = []
            repeat {
                let page = try await client.admin.listAuditEvents(request)
                pages.append(page.events)
                request.page.pageToken = page.page.nextPageToken
            } while !request.page.pageToken.isEmpty
            #expect(pages.map(\.count) == [50, 50, 20])
            let sequences = pages.flatMap { $0 }.map(\.sequence)
            #expect(sequences == sequences.sorted(by: >))
            #expect(Set(pages.flatMap { $0 }.map(\.target)).count == 120)

            request.page.pageToken = try await client.admin.listAuditEvents(
                .with {
                    $0.method = "/life.v1.Admin/CreateFacility"
                    $0.page.pageSize = 10
                }
            ).page.nextPageToken
            request.method = "/life.v1.Admin/ListFacilities"
            let error = await #expect(throws: RPCError.self) { _ = try await client.admin.listAuditEvents(request) }
            #expect(error?.code == .invalidArgument)
        }
        try await daemon.stop()
    }

    @Test("kill -9 during a stream of acknowledged writes loses none of them")
    func killNine() async throws {
        let pki = try TestPKI(folder: TemporaryDirectory())
        let settings = TestDaemon.configuration(folder: pki.folder)
        let socket = pki.folder.file("lifed.sock")
        func start() async throws -> ChildProcess {
            let child = ChildProcess(Products.path("lifed"), settings.flatMap { ["--set", $0] })
            try child.start()
            let serving = await eventually(timeout: .seconds(20)) {
                (try? await LifeClient.withConnection(to: .unix(path: socket)) { try await $0.health.check(.init()).status }) == .serving
            }
            #expect(serving)
            return child
        }
        let first = try await start()
        let acknowledged = Acknowledged()
        do {
            try await LifeClient.withConnection(to: .unix(path: socket)) { client in
                for n in 1...100_000 {
                    try await Self.createFacility(client, n)
                    acknowledged.add(n)
                    if n == 150 { first.signal(SIGKILL) }
                }
            }
        } catch {
            // The connection died with the daemon: expected.
        }
        _ = await first.waitForExit()
        let acked = acknowledged.values
        #expect(acked.count >= 150)

        let second = try await start()
        let stored = try await LifeClient.withConnection(to: .unix(path: socket)) { client in
            var request = Life_V1_ListFacilitiesRequest()
            request.page.pageSize = 500
            request.includeDisabled = true
            return Set(try await client.admin.listFacilities(request).facilities.map(\.facilityNumber))
        }
        let missing = acked.filter { !stored.contains(Self.facilityNumber($0)) }
        #expect(missing.isEmpty, "acknowledged but lost: \(missing)")
        second.signal(SIGTERM)
        #expect(await second.waitForExit() == 0)
        pki.folder.remove()
    }

    @Test("a backup taken under concurrent writes opens and passes the integrity check")
    func backupUnderLoad() async throws {
        let daemon = try await TestDaemon.start()
        let target = daemon.folder.file("data/backups/backup.sqlite")
        try await LifeClient.withConnection(to: daemon.unixEndpoint) { client in
            for n in 1...50 { try await Self.createFacility(client, n) }
            let writer = Task {
                for n in 51...400 { try await Self.createFacility(client, n) }
            }
            var request = Life_V1_BackupDatabaseRequest()
            request.path = "backup.sqlite"
            var last = Life_V1_BackupDatabaseResponse()
            for try await update in try await client.admin.backupDatabase(request) { last = update }
            try await writer.value
            #expect(last.done)
            #expect(last.sha256.count == 64)
            #expect(last.path == target)
            let check = try await client.admin.checkDatabaseIntegrity(.init())
            #expect(check.ok)
        }
        let copy = try SQLiteStore(path: target)
        #expect(try await copy.integrityCheck().isEmpty)
        #expect(try await copy.snapshot { try $0.countFacilities(includeDisabled: true) } >= 50)
        guard case .intact = try await copy.verifyAuditChain() else {
            Issue.record("the backup's audit chain does not verify")
            return
        }
        try await daemon.stop()
    }
}

/// Numbers acknowledged by the server, collected across tasks.
private final class Acknowledged: @unchecked Sendable {
    private let lock = NSLock()
    private var numbers: [Int] = []
    func add(_ n: Int) { lock.withLock { numbers.append(n) } }
    var values: [Int] { lock.withLock { numbers } }
}
