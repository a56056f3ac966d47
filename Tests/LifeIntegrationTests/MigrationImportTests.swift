import Foundation
import LifeClient
import LifeProto
import LifeWire
import Synchronization
import TestSupport
import Testing

private typealias F = TestFacilities
private typealias R = RecipientsTests

/// Imports from the old system (Admin.ImportLegacyExport) over the real daemon: every row
/// accounted for, records today's rules refuse stored needing correction and visible to their
/// facility until an update fixes them, idempotent reruns, changed exports applied unless the
/// record changed here since, dry runs storing nothing, and kill -9 in the middle of 100,000
/// rows losing nothing acknowledged.
@Suite("Migration import")
struct MigrationImportTests {
    static let recipientHeader = """
        life-export,1,recipients
        facility_number,legacy_id,insurer_number,insured_number,full_name,full_name_kana,sex,birth_date,certification_date,\
        certification_valid_from,certification_valid_until,care_level,service_type_code,physical_independence,dementia_independence

        """

    /// A valid row of facility `facility` (insured number from `n`), with `changes` applied as
    /// column → value.
    static func row(_ facility: String, _ legacyID: String, insured n: Int, _ changes: [String: String] = [:]) -> String {
        var values: KeyValuePairs<String, String> {
            [
                "facility_number": facility, "legacy_id": legacyID, "insurer_number": "131011",
                "insured_number": String(format: "%010d", n), "full_name": "山田 花子", "full_name_kana": "ヤマダ ハナコ", "sex": "2",
                "birth_date": "1940-04-01", "certification_date": "2026-04-01", "certification_valid_from": "2026-04-01",
                "certification_valid_until": "2027-03-31", "care_level": "12", "service_type_code": "52", "physical_independence": "3",
                "dementia_independence": "4",
            ]
        }
        return values.map { changes[$0.key] ?? $0.value }.joined(separator: ",") + "\n"
    }

    static func importFile(
        _ endpoint: ClientEndpoint, _ path: String, dryRun: Bool = false,
        progress: (@Sendable (Life_V1_ImportLegacyExportResponse) -> Void)? = nil
    )
        async throws -> Life_V1_ImportLegacyExportResponse
    {
        try await LifeClient.withConnection(to: endpoint) { client in
            var last = Life_V1_ImportLegacyExportResponse()
            for try await message in try await client.admin.importLegacyExport(
                .with {
                    $0.path = path; $0.dryRun = dryRun
                })
            {
                progress?(message)
                last = message
            }
            return last
        }
    }

    static func accounted(_ report: Life_V1_ImportLegacyExportResponse) -> Int64 {
        report.createdCount + report.updatedCount + report.unchangedCount + report.rejectedCount + report.conflictCount
    }

    @Test("facilities and recipients with invalid rows: every row accounted for; flagged records shown to their facility until fixed")
    func flaggedAndRejected() async throws {
        let daemon = try await TestDaemon.start()
        try await R.withTerminals(daemon, [.facilityA, .facilityB]) { terminals in
            let (a, b) = (terminals[0], terminals[1])
            let watchFrom = try await a.client.recipients.listRecipients(.init(), metadata: a.metadata).changeSequence

            try daemon.folder.write(
                """
                life-export,1,facilities
                facility_number,name,service_type_codes
                \(F.a),施設A（旧）,52 11
                1312345687,施設C,
                13123456,短い番号,
                """, to: "facilities.csv")
            let facilities = try await Self.importFile(daemon.unixEndpoint, daemon.folder.file("facilities.csv"))
            #expect(facilities.done && facilities.kind == .facilities && facilities.rowCount == 3)
            #expect(facilities.createdCount == 1 && facilities.updatedCount == 1 && facilities.rejectedCount == 1)
            #expect(facilities.rows.map(\.line) == [5] && facilities.rows.first?.column == "facility_number")
            let listed = try await LifeClient.withConnection(to: daemon.unixEndpoint) { try await $0.admin.listFacilities(.init()) }
            #expect(listed.facilities.first { $0.facilityNumber == F.a }?.serviceTypeCodes == ["11", "52"])

            let rows = [
                Self.row(F.a, "A-1", insured: 1),  // line 3: clean
                Self.row(F.a, "A-2", insured: 2, ["insurer_number": "111111"]),  // 4: the seed's check-digit failure
                Self.row(F.a, "A-3", insured: 3, ["sex": "x", "birth_date": "1940/04/01", "care_level": "99"]),  // 5: flagged
                Self.row(F.a, "A-4", insured: 1),  // 6: same numbers as A-1: flagged DUPLICATE
                Self.row(F.a, "A-1", insured: 5),  // 7: second row for A-1: rejected
                Self.row("1312345695", "X-1", insured: 6),  // 8: valid number, no such facility: rejected
                Self.row("131234567", "X-2", insured: 7),  // 9: not a facility number: rejected
                Self.row(F.a, "", insured: 8),  // 10: no old-system id: rejected
                Self.row(F.b, "B-1", insured: 9, ["full_name_kana": "やまだ"]),  // 11: B's, flagged
            ]
            try daemon.folder.write(Self.recipientHeader + rows.joined(), to: "recipients.csv")
            let path = daemon.folder.file("recipients.csv")

            let dry = try await Self.importFile(daemon.unixEndpoint, path, dryRun: true)
            #expect(dry.dryRun && dry.createdCount == 5 && dry.needsCorrectionCount == 3 && dry.rejectedCount == 4)
            #expect(try await a.client.recipients.listRecipients(.init(), metadata: a.metadata).recipients.isEmpty)

            let first = try await Self.importFile(daemon.unixEndpoint, path)
            #expect(first.done && !first.dryRun && first.kind == .recipients && first.rowCount == 9 && Self.accounted(first) == 9)
            #expect(first.createdCount == 5 && first.needsCorrectionCount == 4 && first.rejectedCount == 4)
            #expect(first.rows.map(\.line) == [4, 5, 6, 7, 8, 9, 10, 11])
            #expect(first.rows.filter { $0.outcome == .needsCorrection }.map(\.line) == [4, 5, 6, 11])
            #expect(first.rows.first { $0.line == 4 }?.reason.contains("insurer_number CHECK_DIGIT_MISMATCH") == true)
            // The report names columns and rules, never a recipient's values.
            #expect(!first.rows.contains { $0.reason.contains("111111") || $0.reason.contains("山田") })

            // A sees its four records, three flagged, with the violations; B sees only its own.
            let all = try await a.client.recipients.listRecipients(.init(), metadata: a.metadata)
            #expect(all.recipients.count == 4 && all.page.totalSize == 4)
            let flagged = try await a.client.recipients.listRecipients(.with { $0.correction = .needsCorrection }, metadata: a.metadata)
            #expect(Set(flagged.recipients.map(\.legacyID)) == ["A-2", "A-3", "A-4"])
            #expect(flagged.recipients.allSatisfy { $0.needsCorrection && !$0.corrections.isEmpty && $0.version == 1 })
            let valid = try await a.client.recipients.listRecipients(.with { $0.correction = .valid }, metadata: a.metadata)
            #expect(valid.recipients.map(\.legacyID) == ["A-1"] && !valid.recipients[0].needsCorrection)
            let a2 = try #require(flagged.recipients.first { $0.legacyID == "A-2" })
            #expect(a2.insurerNumber == "111111" && a2.updatedBy == "(migration)")
            #expect(a2.corrections.map(\.reason) == ["CHECK_DIGIT_MISMATCH"] && a2.corrections[0].field == "recipient.insurer_number")
            let a3 = try await R.get(a, try #require(flagged.recipients.first { $0.legacyID == "A-3" }).id)
            #expect(Set(a3.corrections.map(\.field)) == ["recipient.sex", "recipient.birth_date", "recipient.care_level"])
            #expect(try await b.client.recipients.listRecipients(.init(), metadata: b.metadata).recipients.map(\.legacyID) == ["B-1"])
            #expect(await R.code { _ = try await R.get(b, a2.id) }?.code == .notFound)
            // Never checked while flagged.
            let verify = await R.code {
                _ = try await a.client.verification.verifyRecipient(.with { $0.recipientID = a2.id }, metadata: a.metadata)
            }
            #expect(verify?.code == .failedPrecondition)

            // The change feed carries them, as the facility's terminals see them.
            let events = try await a.client.recipients.watchRecipients(.with { $0.afterSequence = watchFrom }, metadata: a.metadata)
            var seen: [Life_V1_WatchRecipientsResponse] = []
            for try await event in events {
                seen.append(event)
                if seen.count == 4 { break }
            }
            #expect(seen.allSatisfy { $0.kind == .created && $0.changedBy == "(migration)" })
            #expect(seen.filter { $0.recipient.needsCorrection }.count == 3)

            // An update still invalid changes nothing; a valid one clears the flag, same id, next version.
            var stillWrong = a2
            stillWrong.fullName = "山田 次郎"
            #expect(await R.code { _ = try await R.update(a, stillWrong, expected: 1) }?.code == .invalidArgument)
            #expect(try await R.get(a, a2.id).needsCorrection)
            var fixed = a2
            fixed.insurerNumber = "131011"
            fixed.insuredNumber = "0000000002"
            let cleared = try await R.update(a, fixed, expected: 1)
            #expect(cleared.id == a2.id && cleared.version == 2 && !cleared.needsCorrection && cleared.corrections.isEmpty)
            #expect(cleared.legacyID == "A-2" && cleared.updatedBy == "admin-a")
            #expect(
                try await a.client.recipients.listRecipients(.with { $0.correction = .needsCorrection }, metadata: a.metadata).recipients
                    .count == 2)

            // The same file again changes nothing (the rejected rows are rejected again).
            let again = try await Self.importFile(daemon.unixEndpoint, path)
            #expect(again.unchangedCount == 5 && again.createdCount == 0 && again.updatedCount == 0 && again.rejectedCount == 4)

            // A re-export with changes: A-1 renamed is updated; A-2, fixed here since, is a conflict, not overwritten.
            var changed = rows
            changed[0] = Self.row(F.a, "A-1", insured: 1, ["full_name": "山田 花"])
            changed[1] = Self.row(F.a, "A-2", insured: 2, ["insurer_number": "111111", "full_name": "山田 二"])
            try daemon.folder.write(Self.recipientHeader + changed.joined(), to: "recipients-2.csv")
            let reexport = try await Self.importFile(daemon.unixEndpoint, daemon.folder.file("recipients-2.csv"))
            #expect(
                reexport.updatedCount == 1 && reexport.conflictCount == 1 && reexport.unchangedCount == 3 && Self.accounted(reexport) == 9)
            #expect(reexport.rows.first { $0.outcome == .conflict }?.line == 4)
            let a1 = try #require(
                try await a.client.recipients.listRecipients(.with { $0.correction = .valid }, metadata: a.metadata)
                    .recipients.first { $0.legacyID == "A-1" })
            #expect(a1.fullName == "山田 花" && a1.version == 2)
            #expect(try await R.get(a, a2.id).insurerNumber == "131011")
        }
        try await daemon.stop()
    }

    @Test("a file with a wrong format line or header is refused whole, storing nothing")
    func refusedFiles() async throws {
        let daemon = try await TestDaemon.start()
        try await F.seed(daemon)
        for (name, text) in [
            ("nothing.csv", "facility_number,name\n1312345679,x\n"),
            ("version.csv", "life-export,2,facilities\nfacility_number,name\n"),
            ("unknown.csv", "life-export,1,facilities\nfacility_number,name,colour\n"),
            ("missing.csv", String(Self.recipientHeader.replacingOccurrences(of: "legacy_id,", with: ""))),
        ] {
            try daemon.folder.write(text, to: name)
            let error = await R.code { _ = try await Self.importFile(daemon.unixEndpoint, daemon.folder.file(name)) }
            #expect(error?.code == .failedPrecondition, "\(name)")
        }
        let missing = await R.code { _ = try await Self.importFile(daemon.unixEndpoint, daemon.folder.file("absent.csv")) }
        #expect(missing?.code == .failedPrecondition && missing?.message.contains("cannot read") == true, "\(String(describing: missing))")
        try await daemon.stop()
    }

    @Test("migration-freeze, which exists for the move, lets an import create facilities; read-only refuses it")
    func operatingModes() async throws {
        let daemon = try await TestDaemon.start()
        func setMode(_ mode: Life_V1_OperatingMode) async throws {
            _ = try await LifeClient.withConnection(to: daemon.unixEndpoint) { client in
                try await client.admin.setOperatingMode(
                    .with {
                        $0.mode = mode; $0.reason = "test"
                    })
            }
        }
        try daemon.folder.write("life-export,1,facilities\nfacility_number,name\n\(F.a),施設A\n", to: "facilities.csv")
        let path = daemon.folder.file("facilities.csv")
        try await setMode(.readOnly)
        let refused = await R.code { _ = try await Self.importFile(daemon.unixEndpoint, path) }
        #expect(refused?.code == .failedPrecondition && refused?.message.contains("read-only") == true, "\(String(describing: refused))")
        try await setMode(.migrationFreeze)
        let created = try await Self.importFile(daemon.unixEndpoint, path)
        #expect(created.createdCount == 1)
        try await daemon.stop()
    }

    /// Row n of the generated 100,000-row export: every 40th has the seed's insurer number
    /// 111111 and every 211th a 30 February birth date (stored needing correction); every 97th
    /// has a facility number that is not one (rejected).
    static func generatedRow(_ n: Int, name: String = "山田 花子") -> String {
        var changes = ["full_name": name]
        if n % 40 == 0 { changes["insurer_number"] = "111111" }
        if n % 211 == 0 { changes["birth_date"] = "1940-02-30" }
        return row(n % 97 == 0 ? "13123456" : F.a, "L\(n)", insured: n, changes)
    }

    static let generated = 100_000
    static func rejected(_ n: Int) -> Bool { n % 97 == 0 }
    static func flagged(_ n: Int) -> Bool { !rejected(n) && (n % 40 == 0 || n % 211 == 0) }
    static let rejectedRows = Int64((0..<generated).filter(rejected).count)
    static let flaggedRows = Int64((0..<generated).filter(flagged).count)

    @Test("100,000 rows, a few percent invalid: kill -9 midway loses nothing acknowledged, a rerun completes, a third changes nothing")
    func hundredThousandWithKill() async throws {
        let folder = try TemporaryDirectory()
        let pki = try TestPKI(folder: folder)
        var text = Self.recipientHeader
        text.reserveCapacity(Self.generated * 160)
        for n in 0..<Self.generated { text += Self.generatedRow(n) }
        try folder.write(text, to: "export.csv")
        let path = folder.file("export.csv")
        let storable = Int64(Self.generated) - Self.rejectedRows

        let first = try await LifedProcess.start(pki)
        try await F.seed(first.unixEndpoint)
        // Acknowledged: the counts in the last progress message received before the kill.
        let acknowledged = Mutex<Life_V1_ImportLegacyExportResponse?>(nil)
        let interrupted = Task {
            try? await Self.importFile(first.unixEndpoint, path) { message in
                if message.rowCount >= 20_000, !message.done { acknowledged.withLock { $0 = $0 ?? message } }
            }
        }
        #expect(await eventually(timeout: .seconds(120)) { acknowledged.withLock { $0 != nil } })
        first.child.signal(SIGKILL)
        _ = await first.child.waitForExit()
        let finishedBeforeKill = await interrupted.value
        let seen = try #require(acknowledged.withLock { $0 })
        #expect(finishedBeforeKill?.done != true, "the import ended before the kill")

        let second = try await LifedProcess.start(pki)
        let rerun = try await Self.importFile(second.unixEndpoint, path)
        #expect(rerun.done && rerun.rowCount == Int64(Self.generated) && Self.accounted(rerun) == Int64(Self.generated))
        #expect(rerun.rejectedCount == Self.rejectedRows && rerun.updatedCount == 0 && rerun.conflictCount == 0)
        // Everything acknowledged before the kill was kept: found unchanged, not created again.
        #expect(rerun.unchangedCount >= seen.createdCount, "acknowledged \(seen.createdCount), kept \(rerun.unchangedCount)")
        #expect(rerun.createdCount + rerun.unchangedCount == storable)

        let third = try await Self.importFile(second.unixEndpoint, path)
        #expect(third.unchangedCount == storable && third.createdCount == 0 && third.updatedCount == 0)
        // Only the rejected rows are reported, the first 1,000 of them.
        #expect(third.rejectedCount == Self.rejectedRows && third.rows.count == min(Int(Self.rejectedRows), 1_000))
        #expect(third.rows.allSatisfy { $0.outcome == .rejected })

        // A re-export with some names changed updates exactly those.
        func renamed(_ n: Int) -> Bool { n % 2_000 == 1 }
        var changed = Self.recipientHeader
        for n in 0..<Self.generated { changed += Self.generatedRow(n, name: renamed(n) ? "山田 花" : "山田 花子") }
        try folder.write(changed, to: "export-2.csv")
        let reexport = try await Self.importFile(second.unixEndpoint, folder.file("export-2.csv"))
        let updated = Int64((0..<Self.generated).filter { renamed($0) && !Self.rejected($0) }.count)
        #expect(updated > 40 && reexport.updatedCount == updated && reexport.unchangedCount == storable - updated)

        // The facility holds every storable row once, the flagged ones flagged.
        try await LifeClient.withConnection(to: second.tlsEndpoint(.facilityA)) { client in
            let token = try await F.login(client, "admin-a", F.initialPassword)
            _ = try await client.auth.changePassword(
                .with {
                    $0.oldPassword = F.initialPassword; $0.newPassword = F.newPassword
                }, metadata: F.bearer(token))
            let all = try await client.recipients.listRecipients(.with { $0.page.pageSize = 1 }, metadata: F.bearer(token))
            #expect(Int64(all.page.totalSize) == storable)
            let flagged = try await client.recipients.listRecipients(
                .with {
                    $0.page.pageSize = 1; $0.correction = .needsCorrection
                }, metadata: F.bearer(token))
            #expect(Int64(flagged.page.totalSize) == Self.flaggedRows)
        }
        second.child.signal(SIGTERM)
        #expect(await second.child.waitForExit() == 0)
        folder.remove()
    }
}
