import Foundation
import LifeClient
import LifeProto
import LifeWire
import TestSupport
import Testing

private typealias F = TestFacilities

/// Recipients over mutual TLS: shared by every terminal of a facility, invisible to others,
/// version-checked, validated, paged in storage, every call audited.
@Suite("Recipients")
struct RecipientsTests {
    /// A logged-in terminal: a connection with a certificate and the session token of admin-a/b.
    struct Terminal: Sendable {
        let client: LifeClient
        let metadata: [String: String]
    }

    /// Seeds A and B, opens one connection per certificate, logs admin-a (or admin-b for B's
    /// certificate) in on each (changing the initial password once), then runs `body`.
    static func withTerminals(
        _ daemon: TestDaemon, _ certificates: [TestPKI.Client], _ body: @escaping @Sendable ([Terminal]) async throws -> Void
    ) async throws {
        try await F.seed(daemon)
        for login in Set(certificates.map { $0 == .facilityB ? "admin-b" : "admin-a" }) {
            try await LifeClient.withConnection(to: daemon.tlsEndpoint(login == "admin-b" ? .facilityB : .facilityA)) { client in
                let token = try await F.login(client, login, F.initialPassword)
                var change = Life_V1_ChangePasswordRequest()
                change.oldPassword = F.initialPassword
                change.newPassword = F.newPassword
                _ = try await client.auth.changePassword(change, metadata: F.bearer(token))
            }
        }
        try await connect(daemon, certificates[...], [], body)
    }

    private static func connect(
        _ daemon: TestDaemon, _ certificates: ArraySlice<TestPKI.Client>, _ terminals: [Terminal],
        _ body: @escaping @Sendable ([Terminal]) async throws -> Void
    ) async throws {
        guard let certificate = certificates.first else { return try await body(terminals) }
        try await LifeClient.withConnection(to: daemon.tlsEndpoint(certificate)) { client in
            let token = try await F.login(client, certificate == .facilityB ? "admin-b" : "admin-a", F.newPassword)
            try await connect(daemon, certificates.dropFirst(), terminals + [Terminal(client: client, metadata: F.bearer(token))], body)
        }
    }

    static func sample(insured: String = "0123456789", kana: String = "ヤマダ ハナコ") -> Life_V1_Recipient {
        var recipient = Life_V1_Recipient()
        recipient.insurerNumber = "131011"
        recipient.insuredNumber = insured
        recipient.fullName = "山田 花子"
        recipient.fullNameKana = kana
        recipient.sex = .female
        recipient.birthDate = .with {
            $0.year = 1940; $0.month = 4; $0.day = 1
        }
        recipient.certificationDate = .with {
            $0.year = 2026; $0.month = 4; $0.day = 1
        }
        recipient.certificationValidFrom = .with {
            $0.year = 2026; $0.month = 4; $0.day = 1
        }
        recipient.certificationValidUntil = .with {
            $0.year = 2027; $0.month = 3; $0.day = 31
        }
        recipient.careLevel = .care2
        recipient.serviceTypeCode = "52"
        recipient.physicalIndependence = .a1
        recipient.dementiaIndependence = .iia
        return recipient
    }

    static func create(_ terminal: Terminal, _ recipient: Life_V1_Recipient) async throws -> Life_V1_Recipient {
        try await terminal.client.recipients.createRecipient(.with { $0.recipient = recipient }, metadata: terminal.metadata).recipient
    }

    static func get(_ terminal: Terminal, _ id: String) async throws -> Life_V1_Recipient {
        try await terminal.client.recipients.getRecipient(.with { $0.id = id }, metadata: terminal.metadata).recipient
    }

    static func update(_ terminal: Terminal, _ recipient: Life_V1_Recipient, expected: Int64) async throws -> Life_V1_Recipient {
        try await terminal.client.recipients.updateRecipient(
            .with {
                $0.recipient = recipient
                $0.expectedVersion = expected
            }, metadata: terminal.metadata
        ).recipient
    }

    static func code(_ body: () async throws -> Void) async -> RPCError? {
        do {
            try await body()
            return nil
        } catch let error as RPCError {
            return error
        } catch {
            Issue.record("unexpected \(error)")
            return nil
        }
    }

    @Test("two terminals of one facility: A creates, B reads it; concurrent updates of one version: one wins, one ABORTED")
    func twoTerminals() async throws {
        let daemon = try await TestDaemon.start()
        try await Self.withTerminals(daemon, [.facilityA, .facilityA2]) { terminals in
            let (a, b) = (terminals[0], terminals[1])
            let created = try await Self.create(a, Self.sample())
            #expect(created.version == 1)
            #expect(created.facilityNumber == F.a)
            #expect(created.updatedBy == "admin-a")
            #expect(created.fullNameKana == "ヤマダ\u{3000}ハナコ")
            let seen = try await Self.get(b, created.id)
            #expect(seen == created)

            var fromA = seen
            fromA.careLevel = .care3
            var fromB = seen
            fromB.serviceTypeCode = "2A"
            async let first = Self.code { _ = try await Self.update(a, fromA, expected: 1) }
            async let second = Self.code { _ = try await Self.update(b, fromB, expected: 1) }
            let outcomes = [await first, await second]
            #expect(outcomes.filter { $0 == nil }.count == 1, "\(outcomes)")
            #expect(outcomes.compactMap { $0?.code } == [.aborted])
            let stored = try await Self.get(a, created.id)
            #expect(stored.version == 2)
            #expect(stored.careLevel == .care3 || stored.serviceTypeCode == "2A")
            #expect(!(stored.careLevel == .care3 && stored.serviceTypeCode == "2A"))

            // Delete with a stale version changes nothing; with the current one it removes.
            let stale = await Self.code {
                _ = try await a.client.recipients.deleteRecipient(
                    .with {
                        $0.id = created.id; $0.expectedVersion = 1
                    }, metadata: a.metadata)
            }
            #expect(stale?.code == .aborted)
            _ = try await b.client.recipients.deleteRecipient(
                .with {
                    $0.id = created.id; $0.expectedVersion = 2
                }, metadata: b.metadata)
            let gone = await Self.code { _ = try await Self.get(a, created.id) }
            #expect(gone?.code == .notFound)
        }
        try await daemon.stop()
    }

    @Test("another facility's record is NOT_FOUND on every call and never listed")
    func isolation() async throws {
        let daemon = try await TestDaemon.start()
        try await Self.withTerminals(daemon, [.facilityA, .facilityB]) { terminals in
            let (a, b) = (terminals[0], terminals[1])
            let record = try await Self.create(a, Self.sample())
            #expect(await Self.code { _ = try await Self.get(b, record.id) }?.code == .notFound)
            #expect(await Self.code { _ = try await Self.update(b, record, expected: 1) }?.code == .notFound)
            #expect(
                await Self.code {
                    _ = try await b.client.recipients.deleteRecipient(
                        .with {
                            $0.id = record.id; $0.expectedVersion = 1
                        }, metadata: b.metadata)
                }?.code == .notFound)
            let listed = try await b.client.recipients.listRecipients(.with { $0.insurerNumber = "131011" }, metadata: b.metadata)
            #expect(listed.recipients.isEmpty)
            #expect(listed.page.totalSize == 0)
            // B may register the same person in its own facility.
            let own = try await Self.create(b, Self.sample())
            #expect(own.id != record.id)
            #expect(try await Self.get(a, record.id).version == 1)
        }
        try await daemon.stop()
    }

    @Test("invalid records: INVALID_ARGUMENT with every field violation; duplicates ALREADY_EXISTS; no session UNAUTHENTICATED")
    func refusals() async throws {
        let daemon = try await TestDaemon.start()
        try await Self.withTerminals(daemon, [.facilityA]) { terminals in
            let a = terminals[0]
            var bad = Self.sample()
            bad.insurerNumber = "111111"
            bad.insuredNumber = "X12"
            bad.fullNameKana = "やまだ"
            bad.sex = .unspecified
            let error = await Self.code { _ = try await Self.create(a, bad) }
            #expect(error?.code == .invalidArgument)
            let violations = Dictionary(uniqueKeysWithValues: (error?.fieldViolations ?? []).map { ($0.field, $0.reason) })
            #expect(
                violations == [
                    "recipient.insurer_number": "CHECK_DIGIT_MISMATCH", "recipient.insured_number": "FORMAT",
                    "recipient.full_name_kana": "NOT_KATAKANA", "recipient.sex": "REQUIRED",
                ])
            _ = try await Self.create(a, Self.sample())
            #expect(await Self.code { _ = try await Self.create(a, Self.sample()) }?.code == .alreadyExists)
            let anonymous = await Self.code {
                _ = try await a.client.recipients.getRecipient(.with { $0.id = "x" }, metadata: F.bearer("not-a-token"))
            }
            #expect(anonymous?.code == .unauthenticated)
        }
        try await daemon.stop()
    }

    @Test("paging over many records returns each exactly once while inserts happen; tokens are bound to their filter")
    func paging() async throws {
        let daemon = try await TestDaemon.start()
        try await Self.withTerminals(daemon, [.facilityA, .facilityA2]) { terminals in
            let (a, b) = (terminals[0], terminals[1])
            let count = 10_000
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<16 {
                    group.addTask {
                        for n in stride(from: worker, to: count, by: 16) {
                            _ = try await Self.create(a, Self.sample(insured: String(format: "%010d", n), kana: "テスト \(Self.kana(n))"))
                        }
                    }
                }
                try await group.waitForAll()
            }
            // Page through with B while A keeps inserting names that sort before and after.
            let inserts = Task {
                for n in 0..<200 {
                    _ = try await Self.create(a, Self.sample(insured: String(format: "9%09d", n), kana: n % 2 == 0 ? "ア" : "ン"))
                }
            }
            var seen: [String] = []
            var token = ""
            var pages = 0
            repeat {
                let page = try await b.client.recipients.listRecipients(
                    .with {
                        $0.page.pageSize = 97
                        $0.page.pageToken = token
                        $0.fullNameKanaPrefix = "テスト"
                    }, metadata: b.metadata)
                seen += page.recipients.map(\.id)
                token = page.page.nextPageToken
                pages += 1
            } while !token.isEmpty
            try await inserts.value
            #expect(seen.count == count)
            #expect(Set(seen).count == count)
            #expect(pages == (count + 96) / 97)

            let first = try await b.client.recipients.listRecipients(
                .with {
                    $0.page.pageSize = 10
                    $0.fullNameKanaPrefix = "テスト"
                }, metadata: b.metadata)
            let otherFilter = await Self.code {
                _ = try await b.client.recipients.listRecipients(
                    .with {
                        $0.page.pageToken = first.page.nextPageToken
                        $0.fullNameKanaPrefix = "テ"
                    }, metadata: b.metadata)
            }
            #expect(otherFilter?.code == .invalidArgument)
            let forged = await Self.code {
                _ = try await b.client.recipients.listRecipients(.with { $0.page.pageToken = "AAAAAAAAAAAA" }, metadata: b.metadata)
            }
            #expect(forged?.code == .invalidArgument)
        }
        try await daemon.stop()
    }

    /// Distinct katakana spellings for `n`, so that names sort in a known, shuffled order.
    static func kana(_ n: Int) -> String {
        let letters = Array("アイウエオカキクケコサシスセソタチツテトナニヌネノ")
        var value = (n * 7919) % 1_000_003
        var text = ""
        for _ in 0..<5 {
            text.append(letters[value % letters.count])
            value /= letters.count
        }
        return text
    }

    @Test("200 concurrent Gets and Updates: one audit record per call, and the chain verifies")
    func auditedUnderConcurrency() async throws {
        let daemon = try await TestDaemon.start()
        try await Self.withTerminals(daemon, [.facilityA, .facilityA2]) { terminals in
            let records = try await withThrowingTaskGroup(of: Life_V1_Recipient.self) { group in
                for n in 0..<20 {
                    group.addTask { try await Self.create(terminals[n % 2], Self.sample(insured: String(format: "%010d", n))) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let before = try await Self.auditCount(daemon)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 0..<200 {
                    group.addTask {
                        let terminal = terminals[n % 2]
                        let record = records[n % records.count]
                        if n % 10 == 0 {
                            // Updates of the record as first read: one per record wins, others ABORTED.
                            _ = await Self.code { _ = try await Self.update(terminal, record, expected: 1) }
                        } else {
                            _ = try await Self.get(terminal, record.id)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let after = try await Self.auditCount(daemon)
            #expect(after - before == 200)
        }
        let verdict = try await LifeClient.withConnection(to: daemon.unixEndpoint) { try await $0.admin.verifyAuditChain(.init()) }
        #expect(verdict.intact)
        try await daemon.stop()
    }

    /// Audit records of Recipients calls so far.
    static func auditCount(_ daemon: TestDaemon) async throws -> Int {
        try await LifeClient.withConnection(to: daemon.unixEndpoint) { client in
            var total = 0
            var token = ""
            repeat {
                let page = try await client.admin.listAuditEvents(
                    .with {
                        $0.page.pageSize = 500
                        $0.page.pageToken = token
                    })
                total += page.events.filter { $0.method.hasPrefix("/life.v1.Recipients/") }.count
                token = page.page.nextPageToken
            } while !token.isEmpty
            return total
        }
    }
}
