import Foundation
import LifeClient
import LifeProto
import LifeWire
import TestSupport
import Testing

private typealias F = TestFacilities
private typealias R = RecipientsTests

/// Eligibility verification against the qualification registry: the four outcomes on every
/// write, insurers joining and leaving (bulk re-checks reaching every facility's watchers),
/// imports (idempotent, all-or-nothing or skipping invalid rows, CSV details), and facility
/// isolation of results and jobs.
@Suite("Verification")
struct VerificationTests {
    /// 131011 participates; 122069 has records but does not.
    static let participating = "131011"
    static let outsider = "122069"

    static let registry = """
        insurer_number,insured_number,birth_date,sex,valid_from,valid_until
        131011,0000000001,1940-04-01,2,,
        131011,0000000002,1941-01-01,2,2020-04-01,
        131011,0000000003,1940-04-01,2,2015-04-01,2020-12-31
        131011,0000000006,1940-04-01,1,,
        122069,0000000005,1950-01-01,1,,

        """

    static func recipient(_ insurer: String, _ insured: String) -> Life_V1_Recipient {
        var recipient = R.sample(insured: insured)
        recipient.insurerNumber = insurer
        return recipient
    }

    static func importFile(
        _ daemon: TestDaemon, _ text: String, name: String = "registry.csv", skipInvalid: Bool = false, validateOnly: Bool = false
    ) async throws -> Life_V1_ImportQualificationRecordsResponse {
        try daemon.folder.write(text, to: name)
        return try await LifeClient.withConnection(to: daemon.unixEndpoint) { client in
            var request = Life_V1_ImportQualificationRecordsRequest()
            request.path = daemon.folder.file(name)
            request.format = .csv
            request.skipInvalid = skipInvalid
            request.validateOnly = validateOnly
            var last = Life_V1_ImportQualificationRecordsResponse()
            for try await message in try await client.admin.importQualificationRecords(request) { last = message }
            return last
        }
    }

    static func join(_ daemon: TestDaemon, _ insurer: String) async throws -> Life_V1_VerificationJob {
        try await LifeClient.withConnection(to: daemon.unixEndpoint) { client in
            try await client.admin.createParticipatingInsurer(
                .with {
                    $0.insurer.insurerNumber = insurer; $0.insurer.name = "市"
                }
            ).job
        }
    }

    static func leave(_ daemon: TestDaemon, _ insurer: String) async throws -> Life_V1_VerificationJob {
        try await LifeClient.withConnection(to: daemon.unixEndpoint) { client in
            try await client.admin.leaveParticipatingInsurer(.with { $0.insurerNumber = insurer }).job
        }
    }

    static func status(_ daemon: TestDaemon) async throws -> Life_V1_GetRegistryStatusResponse {
        try await LifeClient.withConnection(to: daemon.unixEndpoint) { client in try await client.admin.getRegistryStatus(.init()) }
    }

    /// Waits until no re-check job is queued or running.
    static func settle(_ daemon: TestDaemon) async throws {
        #expect(try await eventually(timeout: .seconds(30)) { try await status(daemon).activeJobs.isEmpty })
    }

    @Test("each outcome on create: matched, mismatched (birth date), not found (no record; validity excludes today), not checked")
    func outcomes() async throws {
        let daemon = try await TestDaemon.start()
        try await R.withTerminals(daemon, [.facilityA]) { terminals in
            let a = terminals[0]
            _ = try await Self.join(daemon, Self.participating)
            let imported = try await Self.importFile(daemon, Self.registry)
            #expect(imported.done && imported.rowCount == 5 && imported.importedCount == 5)
            #expect(imported.insurerNumbers == [Self.outsider, Self.participating])
            try await Self.settle(daemon)

            let matched = try await R.create(a, Self.recipient(Self.participating, "0000000001"))
            #expect(matched.verification.status == .matched)
            #expect(matched.verification.recipientVersion == 1)
            #expect(matched.verification.hasCheckedAt && matched.verification.registryRevision > 0)
            let mismatched = try await R.create(a, Self.recipient(Self.participating, "0000000002"))
            #expect(mismatched.verification.status == .mismatched)
            #expect(mismatched.verification.mismatchedFields == [.birthDate])
            let sexMismatch = try await R.create(a, Self.recipient(Self.participating, "0000000006"))
            #expect(sexMismatch.verification.mismatchedFields == [.sex])
            let expired = try await R.create(a, Self.recipient(Self.participating, "0000000003"))
            #expect(expired.verification.status == .notFound)
            let absent = try await R.create(a, Self.recipient(Self.participating, "0000000004"))
            #expect(absent.verification.status == .notFound)
            // 122069 holds a record that would mismatch on sex and birth date: not participating, not checked.
            let outside = try await R.create(a, Self.recipient(Self.outsider, "0000000005"))
            #expect(outside.verification.status == .notChecked)
            #expect(outside.verification.mismatchedFields.isEmpty)

            // Reads return the stored result; lists filter by it.
            #expect(try await R.get(a, mismatched.id).verification == mismatched.verification)
            let listed = try await a.client.recipients.listRecipients(
                .with { $0.verificationStatuses = [.notFound] }, metadata: a.metadata)
            #expect(Set(listed.recipients.map(\.id)) == [expired.id, absent.id])
            let results = try await a.client.verification.listVerificationResults(
                .with { $0.statuses = [.mismatched] }, metadata: a.metadata)
            #expect(Set(results.results.map(\.recipientID)) == [mismatched.id, sexMismatch.id])

            // An update that fixes the birth date is checked again and matches.
            var fixed = mismatched
            fixed.birthDate = .with {
                $0.year = 1941; $0.month = 1; $0.day = 1
            }
            let updated = try await R.update(a, fixed, expected: 1)
            #expect(updated.verification.status == .matched)
            #expect(updated.verification.recipientVersion == 2)
            let again = try await a.client.verification.verifyRecipient(.with { $0.recipientID = updated.id }, metadata: a.metadata)
            #expect(again.result.status == .matched)
            let stored = try await a.client.verification.getVerificationResult(.with { $0.recipientID = updated.id }, metadata: a.metadata)
            #expect(stored.result == again.result)
        }
        try await daemon.stop()
    }

    @Test("an insurer joining re-checks every facility's recipients and reaches watchers; leaving reverts them to not checked")
    func joinAndLeave() async throws {
        let daemon = try await TestDaemon.start()
        try await R.withTerminals(daemon, [.facilityA, .facilityB]) { terminals in
            let (a, b) = (terminals[0], terminals[1])
            _ = try await Self.importFile(daemon, Self.registry)
            let inA = try await R.create(a, Self.recipient(Self.outsider, "0000000005"))
            var person = Self.recipient(Self.outsider, "0000000005")
            person.sex = .male
            person.birthDate = .with {
                $0.year = 1950; $0.month = 1; $0.day = 1
            }
            let inB = try await R.create(b, person)
            #expect(inA.verification.status == .notChecked && inB.verification.status == .notChecked)
            let start = try await a.client.recipients.listRecipients(.init(), metadata: a.metadata).changeSequence
            let watcher = RecipientWatchTests.Collector()
            watcher.start(a, after: start)

            let joined = try await Self.join(daemon, Self.outsider)
            #expect(joined.trigger == .insurerJoined && joined.insurerNumbers == [Self.outsider] && joined.facilityNumber.isEmpty)
            try await Self.settle(daemon)
            let afterJoinA = try await R.get(a, inA.id).verification
            #expect(afterJoinA.status == .mismatched && afterJoinA.mismatchedFields == [.birthDate, .sex])
            #expect(try await R.get(b, inB.id).verification.status == .matched)
            #expect(await eventually { watcher.messages.contains { $0.kind == .verified && $0.recipient.id == inA.id } })
            let verified = watcher.messages.first { $0.kind == .verified }
            #expect(verified?.recipient.verification.status == .mismatched)
            #expect(!watcher.messages.contains { $0.recipient.id == inB.id }, "facility B's change reached A's watcher")

            let job = try await LifeClient.withConnection(to: daemon.unixEndpoint) { client in
                try await client.admin.listVerificationJobs(.init()).jobs.first { $0.id == joined.id }
            }
            #expect(job?.state == .succeeded && job?.processedCount == 2 && job?.totalCount == 2)
            #expect(job?.mismatchedCount == 1 && job?.matchedCount == 1)

            _ = try await Self.leave(daemon, Self.outsider)
            try await Self.settle(daemon)
            #expect(try await R.get(a, inA.id).verification.status == .notChecked)
            #expect(try await R.get(b, inB.id).verification.status == .notChecked)
            #expect(await eventually { watcher.messages.filter { $0.kind == .verified && $0.recipient.id == inA.id }.count == 2 })
            _ = watcher.task?.cancel()
        }
        try await daemon.stop()
    }

    @Test("import: the same file again changes nothing and starts no re-check; a changed insurer alone is replaced")
    func idempotentImport() async throws {
        let daemon = try await TestDaemon.start()
        _ = try await Self.join(daemon, Self.participating)
        let first = try await Self.importFile(daemon, Self.registry)
        #expect(first.hasJob && first.job.insurerNumbers == [Self.participating])
        try await Self.settle(daemon)
        let before = try await Self.status(daemon)
        #expect(before.qualificationRecordCount == 5 && before.insurerWithRecordsCount == 2)

        // The same rows in another order, with CRLF line ends and a BOM: the same records.
        let lines = Self.registry.split(separator: "\n").map(String.init)
        let reordered = "\u{FEFF}" + ([lines[0]] + lines.dropFirst().reversed()).joined(separator: "\r\n") + "\r\n"
        let again = try await Self.importFile(daemon, reordered, name: "again.csv")
        #expect(again.done && again.rowCount == 5 && again.importedCount == 0 && !again.hasJob)
        #expect(again.insurerNumbers.isEmpty && again.unchangedInsurerNumbers == [Self.outsider, Self.participating])
        let after = try await Self.status(daemon)
        #expect(after.registryRevision == before.registryRevision && after.activeJobs.isEmpty)

        // One insurer changes: only it is replaced and re-checked.
        let changed = Self.registry.replacingOccurrences(of: "131011,0000000001,1940-04-01,2", with: "131011,0000000001,1940-04-02,2")
        let third = try await Self.importFile(daemon, changed, name: "changed.csv")
        #expect(third.insurerNumbers == [Self.participating] && third.unchangedInsurerNumbers == [Self.outsider])
        #expect(third.hasJob && third.job.trigger == .registryImported)
        try await Self.settle(daemon)
        #expect(try await Self.status(daemon).qualificationRecordCount == 5)
        try await daemon.stop()
    }

    @Test("import: invalid rows named by line and column; all-or-nothing by default, --skip-invalid imports the rest; quoted fields")
    func invalidRows() async throws {
        let daemon = try await TestDaemon.start()
        let file = #"""
            name,insurer_number,insured_number,birth_date,sex
            "山田, 花子",131011,0000000001,1940-04-01,2
            "say ""hi""",111111,0000000002,1940-04-01,2
            鈴木,131011,00000X0003,1940-02-30,3
            "multi
            line",131011,0000000004,1940-04-01,1
            """#
        do {
            _ = try await Self.importFile(daemon, file)
            Issue.record("an import with invalid rows succeeded")
        } catch let error as RPCError {
            #expect(error.code == .invalidArgument)
            let fields = error.fieldViolations.map(\.field)
            #expect(fields.contains("line 3: insurer_number"), "\(fields)")
            #expect(fields.contains("line 4: insured_number") && fields.contains("line 4: birth_date") && fields.contains("line 4: sex"))
        }
        #expect(try await Self.status(daemon).qualificationRecordCount == 0)

        let checked = try await Self.importFile(daemon, file, validateOnly: true)
        #expect(checked.rowCount == 4 && checked.invalidCount == 2 && checked.importedCount == 0)
        #expect(try await Self.status(daemon).qualificationRecordCount == 0)

        let skipped = try await Self.importFile(daemon, file, skipInvalid: true)
        #expect(skipped.rowCount == 4 && skipped.invalidCount == 2 && skipped.importedCount == 2)
        #expect(Set(skipped.invalidRows.map(\.line)) == [3, 4])
        #expect(skipped.invalidRows.first { $0.line == 3 }?.column == "insurer_number")
        #expect(try await Self.status(daemon).qualificationRecordCount == 2)

        // A file the daemon cannot read, and one without the needed columns.
        await #expect(throws: RPCError.self) { _ = try await Self.importFile(daemon, "insurer_number,sex\n131011,1\n", name: "short.csv") }
        do {
            _ = try await LifeClient.withConnection(to: daemon.unixEndpoint) { client in
                var request = Life_V1_ImportQualificationRecordsRequest()
                request.path = daemon.folder.file("missing.csv")
                request.format = .csv
                for try await _ in try await client.admin.importQualificationRecords(request) {}
            }
            Issue.record("a missing file was imported")
        } catch let error as RPCError {
            #expect(error.code == .failedPrecondition && error.message.contains("missing.csv"))
        }
        try await daemon.stop()
    }

    @Test("results and jobs stay in their facility")
    func isolation() async throws {
        let daemon = try await TestDaemon.start()
        try await R.withTerminals(daemon, [.facilityA, .facilityB]) { terminals in
            let (a, b) = (terminals[0], terminals[1])
            _ = try await Self.join(daemon, Self.participating)
            _ = try await Self.importFile(daemon, Self.registry)
            try await Self.settle(daemon)
            let mine = try await R.create(a, Self.recipient(Self.participating, "0000000001"))
            let theirs = try await R.create(b, Self.recipient(Self.participating, "0000000002"))

            let foreign = await R.code {
                _ = try await b.client.verification.verifyRecipient(.with { $0.recipientID = mine.id }, metadata: b.metadata)
            }
            #expect(foreign?.code == .notFound)
            let foreignRead = await R.code {
                _ = try await b.client.verification.getVerificationResult(.with { $0.recipientID = mine.id }, metadata: b.metadata)
            }
            #expect(foreignRead?.code == .notFound)

            let job = try await a.client.verification.startVerificationJob(.init(), metadata: a.metadata).job
            #expect(job.facilityNumber == F.a && job.trigger == .requested)
            try await Self.settle(daemon)
            let done = try await a.client.verification.getVerificationJob(.with { $0.jobID = job.id }, metadata: a.metadata).job
            #expect(done.state == .succeeded && done.processedCount == 1 && done.matchedCount == 1)
            let hidden = await R.code {
                _ = try await b.client.verification.getVerificationJob(.with { $0.jobID = job.id }, metadata: b.metadata)
            }
            #expect(hidden?.code == .notFound)
            // B's recipient was not touched by A's job.
            #expect(try await R.get(b, theirs.id).verification == theirs.verification)
            let listedByB = try await b.client.verification.listVerificationResults(.init(), metadata: b.metadata)
            #expect(listedByB.results.map(\.recipientID) == [theirs.id])
        }
        try await daemon.stop()
    }
}
