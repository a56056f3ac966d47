import Foundation
import GRDB
import LifeCore
import Testing

@testable import LifeStore

@Suite("Backup and integrity check")
struct MaintenanceTests {
    @Test func soundDatabaseHasNoProblems() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        try await fixture.store.createFacility(Sample.facility(1))
        #expect(try await fixture.store.integrityCheck() == [])
    }

    @Test func integrityCheckReportsRowsWrittenWithForeignKeysOff() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let raw = try fixture.rawConnection(foreignKeys: false)
        try await raw.write { db in
            try db.execute(
                sql: """
                    INSERT INTO staff (facility_number, login_id, display_name, role, password_hash, must_change_password,
                        disabled, failed_login_count, created_at, updated_at)
                    VALUES ('\(Sample.facilityNumber(9))', 'ghost', 'x', 'operator', 'hash', 0, 0, 0, 1, 1)
                    """)
        }
        let problems = try await fixture.store.integrityCheck()
        #expect(problems == ["foreign key violation: staff row 1 refers to a missing facility row"])
    }

    @Test func backupCopiesEverythingAndReportsProgress() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let store = fixture.store
        try await store.createFacility(Sample.facility(1))
        let member = try await store.createStaffMember(Sample.staff("tanaka", facility: Sample.facilityNumber(1)))
        for index in 1...50 { try await store.appendAudit(Sample.event(index)) }
        let target = fixture.file("backup.sqlite")
        let fractions = Recorder<Double>()

        try await store.backup(to: target) { fraction in fractions.record(fraction) }

        let reported = fractions.recorded
        #expect(reported.last == 1)
        #expect(reported == reported.sorted())
        let copy = try SQLiteStore(path: target)
        defer { try? copy.close() }
        #expect(try await copy.integrityCheck() == [])
        #expect(try await copy.staffMember(id: member.id!) == member)
        #expect(try await copy.verifyAuditChain() == .intact(records: 50))
    }

    @Test func backupRefusesAnExistingTarget() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let target = fixture.file("precious.sqlite")
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: target))

        let error = await #expect(throws: StoreError.self) {
            try await fixture.store.backup(to: target) { _ in }
        }
        #expect(error?.code == .backupTargetExists)
        #expect(try Data(contentsOf: URL(fileURLWithPath: target)) == Data("keep me".utf8))

        let intoTheStoreItself = await #expect(throws: StoreError.self) {
            try await fixture.store.backup(to: fixture.sqlite.path) { _ in }
        }
        #expect(intoTheStoreItself?.code == .backupTargetExists)
    }

    @Test func failedBackupLeavesNoFile() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let target = fixture.file("missing-folder/backup.sqlite")
        let error = await #expect(throws: StoreError.self) {
            try await fixture.store.backup(to: target) { _ in }
        }
        #expect(error?.code == .backupFailed)
        #expect(!FileManager.default.fileExists(atPath: target))
    }

    /// The backup runs a page at a time while a writer keeps appending audit records. The copy must
    /// be one snapshot: it opens, passes the integrity check, and holds an intact prefix of the
    /// chain, identical record for record to the live database.
    @Test func backupUnderConcurrentWritesIsAConsistentPrefix() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let store = fixture.sqlite
        let initial = 1_500
        let concurrent = 400
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<initial {
                group.addTask { try await store.appendAudit(Sample.event(index)) }
                if index % 50 == 49 { try await group.waitForAll() }
            }
            try await group.waitForAll()
        }
        let target = fixture.file("backup.sqlite")
        let steps = Recorder<Double>()

        let written = try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask {
                // Four writers, a hundred appends each, started before the backup.
                try await withThrowingTaskGroup(of: Void.self) { writers in
                    for writer in 0..<4 {
                        writers.addTask {
                            for index in 0..<(concurrent / 4) {
                                try await store.appendAudit(Sample.event(initial + writer * 1000 + index))
                            }
                        }
                    }
                    try await writers.waitForAll()
                }
                return concurrent
            }
            group.addTask {
                try await Task.sleep(for: .milliseconds(20))
                try await store.backup(to: target, pagesPerStep: 2) { fraction in steps.record(fraction) }
                return 0
            }
            return try await group.reduce(0, +)
        }
        #expect(written == concurrent)
        #expect(steps.recorded.count > 10, "the copy took several steps")

        let raw = try StoreFixture.rawConnection(path: target)
        #expect(try await raw.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") } == ["ok"])
        try raw.close()

        let copy = try SQLiteStore(path: target)
        defer { try? copy.close() }
        #expect(try await copy.integrityCheck() == [])
        let verification = try await copy.verifyAuditChain()
        guard case .intact(let count) = verification else {
            Issue.record("backup chain: \(verification)")
            return
        }
        #expect(count >= initial && count <= initial + concurrent)
        let live = try await store.recentAudit(limit: initial + concurrent)
        #expect(live.count == initial + concurrent)
        #expect(try await copy.recentAudit(limit: count) == Array(live.prefix(count)))
        #expect(try await store.verifyAuditChain() == .intact(records: initial + concurrent))
    }
}
