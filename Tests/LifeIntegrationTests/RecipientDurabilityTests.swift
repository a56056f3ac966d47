import Foundation
import LifeClient
import LifeProto
import LifeWire
import Synchronization
import TestSupport
import Testing

private typealias F = TestFacilities

/// Group commit acknowledges a unit only once its commit is on disk: kill -9 of the real lifed
/// in the middle of concurrent creates loses no acknowledged recipient and no audit record.
@Suite("Recipient durability")
struct RecipientDurabilityTests {
    @Test("kill -9 during 8 concurrent writers: every acknowledged create is stored and audited; the chain verifies")
    func killNine() async throws {
        let pki = try TestPKI(folder: TemporaryDirectory())
        let socket = pki.folder.file("lifed.sock")
        let first = try await LifedProcess.start(pki)
        try await LifeClient.withConnection(to: .unix(path: socket)) { client in
            _ = try await client.admin.createFacility(
                .with {
                    $0.facility.facilityNumber = F.a
                    $0.facility.name = "施設A"
                })
            _ = try await client.admin.createFacilityAdmin(
                .with {
                    $0.facilityNumber = F.a
                    $0.loginID = "admin-a"
                    $0.displayName = "管理者"
                    $0.initialPassword = F.initialPassword
                })
        }
        let acknowledged = AcknowledgedIDs()
        do {
            try await LifeClient.withConnection(to: first.tlsEndpoint(.facilityA)) { client in
                let token = try await F.login(client, "admin-a", F.initialPassword)
                _ = try await client.auth.changePassword(
                    .with {
                        $0.oldPassword = F.initialPassword
                        $0.newPassword = F.newPassword
                    }, metadata: F.bearer(token))
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for worker in 0..<8 {
                        group.addTask {
                            for n in stride(from: worker, to: 100_000, by: 8) {
                                let recipient = RecipientsTests.sample(insured: String(format: "%010d", n))
                                let created = try await client.recipients.createRecipient(
                                    .with { $0.recipient = recipient }, metadata: F.bearer(token))
                                let count = acknowledged.add(created.recipient.id)
                                if count == 300 { first.child.signal(SIGKILL) }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
        } catch {
            // The connection died with the daemon: expected.
        }
        _ = await first.child.waitForExit()
        let acked = acknowledged.values
        #expect(acked.count >= 300)

        let second = try await LifedProcess.start(pki)
        let stored = try await LifeClient.withConnection(to: second.tlsEndpoint(.facilityA)) { client in
            let token = try await F.login(client, "admin-a", F.newPassword)
            var ids: Set<String> = []
            var request = Life_V1_ListRecipientsRequest()
            request.page.pageSize = 500
            repeat {
                let page = try await client.recipients.listRecipients(request, metadata: F.bearer(token))
                ids.formUnion(page.recipients.map(\.id))
                request.page.pageToken = page.page.nextPageToken
            } while !request.page.pageToken.isEmpty
            return ids
        }
        let lost = acked.filter { !stored.contains($0) }
        #expect(lost.isEmpty, "acknowledged but lost: \(lost.count)")
        let (audited, verdict) = try await LifeClient.withConnection(to: .unix(path: socket)) { client in
            var targets: Set<String> = []
            var request = Life_V1_ListAuditEventsRequest()
            request.page.pageSize = 500
            repeat {
                let page = try await client.admin.listAuditEvents(request)
                targets.formUnion(page.events.filter { $0.method == "/life.v1.Recipients/CreateRecipient" }.map(\.target))
                request.page.pageToken = page.page.nextPageToken
            } while !request.page.pageToken.isEmpty
            return (targets, try await client.admin.verifyAuditChain(.init()))
        }
        let unaudited = acked.filter { !audited.contains("recipient:\($0)") }
        #expect(unaudited.isEmpty, "acknowledged but not audited: \(unaudited.count)")
        #expect(verdict.intact)
        second.child.signal(SIGTERM)
        #expect(await second.child.waitForExit() == 0)
        pki.folder.remove()
    }
}

/// Ids the server acknowledged, collected across tasks.
private final class AcknowledgedIDs: Sendable {
    private let ids = Mutex<[String]>([])

    /// Adds `id`; returns how many there are now.
    func add(_ id: String) -> Int {
        ids.withLock { list in
            list.append(id)
            return list.count
        }
    }

    var values: [String] { ids.withLock { $0 } }
}
