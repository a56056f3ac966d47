import Foundation
import LifeClient
import LifeProto
import LifeWire
import Synchronization
import TestSupport
import Testing

private typealias F = TestFacilities

/// A bulk re-check keeps its position and counts with each batch of results: kill -9 of the real
/// lifed in the middle of one, and a restart, end with exactly the results and counts a clean
/// run gives.
@Suite("Verification job durability")
struct VerificationJobDurabilityTests {
    /// Insured number n: n % 3 == 0 matches, 1 differs in birth date, 2 is absent from the registry.
    static let recipients = 4_500

    static func expected(_ n: Int) -> Life_V1_VerificationStatus {
        [.matched, .mismatched, .notFound][n % 3]
    }

    @Test("kill -9 during a re-check of 4,500 recipients: after restart the job resumes and ends with a clean run's results")
    func killNineResumes() async throws {
        let folder = try TemporaryDirectory()
        let pki = try TestPKI(folder: folder)
        // Small batches: the job runs long enough to be killed in the middle.
        let settings = ["verification.batch_size=5"]
        func admin<T: Sendable>(_ body: @escaping @Sendable (LifeClient) async throws -> T) async throws -> T {
            try await LifeClient.withConnection(to: .unix(path: folder.file("lifed.sock")), body)
        }

        let first = try await LifedProcess.start(pki, settings: settings)
        try await admin { client in
            _ = try await client.admin.createFacility(
                .with {
                    $0.facility.facilityNumber = F.a; $0.facility.name = "施設A"
                })
            _ = try await client.admin.createFacilityAdmin(
                .with {
                    $0.facilityNumber = F.a; $0.loginID = "admin-a"; $0.displayName = "管理者"; $0.initialPassword = F.initialPassword
                })
        }
        var csv = "insurer_number,insured_number,birth_date,sex\n"
        for n in 0..<Self.recipients where n % 3 != 2 {
            csv += "131011,\(String(format: "%010d", n)),\(n % 3 == 0 ? "1940-04-01" : "1941-04-01"),2\n"
        }
        try folder.write(csv, to: "registry.csv")
        try await LifeClient.withConnection(to: first.tlsEndpoint(.facilityA)) { client in
            let token = try await F.login(client, "admin-a", F.initialPassword)
            _ = try await client.auth.changePassword(
                .with {
                    $0.oldPassword = F.initialPassword; $0.newPassword = F.newPassword
                }, metadata: F.bearer(token))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        for n in stride(from: worker, to: Self.recipients, by: 8) {
                            _ = try await client.recipients.createRecipient(
                                .with { $0.recipient = RecipientsTests.sample(insured: String(format: "%010d", n)) },
                                metadata: F.bearer(token))
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        // Records first (131011 does not participate yet: no job), then the join starts the re-check.
        try await admin { client in
            var request = Life_V1_ImportQualificationRecordsRequest()
            request.path = folder.file("registry.csv")
            request.format = .csv
            for try await _ in try await client.admin.importQualificationRecords(request) {}
        }
        let job = try await admin { client in
            try await client.admin.createParticipatingInsurer(
                .with {
                    $0.insurer.insurerNumber = "131011"; $0.insurer.name = "千代田区"
                }
            ).job
        }
        let seen = Mutex<Int64>(0)
        let midway = await eventually(timeout: .seconds(60)) {
            let progress = try? await admin { try await $0.admin.getRegistryStatus(.init()).activeJobs.first?.processedCount }
            seen.withLock { $0 = progress ?? 0 }
            return (progress ?? 0) >= 500
        }
        first.child.signal(SIGKILL)
        _ = await first.child.waitForExit()
        // Killed in the middle: past the first batches, still running.
        #expect(midway && seen.withLock { $0 } < Int64(Self.recipients), "processed at the kill: \(seen.withLock { $0 })")

        let second = try await LifedProcess.start(pki, settings: settings)
        #expect(
            await eventually(timeout: .seconds(120)) {
                (try? await admin { try await $0.admin.getRegistryStatus(.init()).activeJobs.isEmpty }) == true
            })
        let finished = try #require(try await admin { try await $0.admin.listVerificationJobs(.init()).jobs.first { $0.id == job.id } })
        let third = Int64(Self.recipients / 3)
        #expect(finished.state == .succeeded)
        #expect(finished.totalCount == Int64(Self.recipients) && finished.processedCount == Int64(Self.recipients))
        #expect(finished.matchedCount == third && finished.mismatchedCount == third && finished.notFoundCount == third)

        let wrong = try await LifeClient.withConnection(to: second.tlsEndpoint(.facilityA)) { client in
            let token = try await F.login(client, "admin-a", F.newPassword)
            var request = Life_V1_ListRecipientsRequest()
            request.page.pageSize = 500
            var wrong: [String] = []
            repeat {
                let page = try await client.recipients.listRecipients(request, metadata: F.bearer(token))
                wrong += page.recipients.filter { $0.verification.status != Self.expected(Int($0.insuredNumber)!) }.map(\.insuredNumber)
                request.page.pageToken = page.page.nextPageToken
            } while !request.page.pageToken.isEmpty
            return wrong
        }
        #expect(wrong.isEmpty, "recipients with the wrong result: \(wrong.prefix(10))")
        second.child.signal(SIGTERM)
        #expect(await second.child.waitForExit() == 0)
        folder.remove()
    }
}
