import Foundation
import GRDB
import LifeCore
import Testing

@testable import LifeStore

@Suite("Opening the store")
struct StoreOpeningTests {
    @Test func writerIsDurableWALWithForeignKeys() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let pool = fixture.sqlite.pool

        let (synchronous, journalMode, foreignKeys) = try await pool.writeWithoutTransaction { db in
            (
                try Int.fetchOne(db, sql: "PRAGMA synchronous"),
                try String.fetchOne(db, sql: "PRAGMA journal_mode"),
                try Int.fetchOne(db, sql: "PRAGMA foreign_keys")
            )
        }
        #expect(synchronous == 2, "synchronous must be FULL (2) on the writer")
        #expect(journalMode == "wal")
        #expect(foreignKeys == 1)
        let readerForeignKeys = try await pool.read { db in try Int.fetchOne(db, sql: "PRAGMA foreign_keys") }
        #expect(readerForeignKeys == 1)
        #expect(fixture.sqlite.path == fixture.file("life.sqlite"))
    }

    @Test func reopeningRunsNoMigrationTwiceAndKeepsData() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        try await fixture.store.createFacility(Sample.facility(1))
        try await fixture.store.appendAudit(Sample.event(1))
        try fixture.sqlite.close()

        for _ in 0..<2 {
            let reopened = try SQLiteStore(path: fixture.sqlite.path)
            let names = try await reopened.pool.read { db in
                try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid")
            }
            #expect(
                names == [
                    "v1-directory", "v2-staff", "v3-sessions", "v4-audit", "v5-recipients", "v6-change-retention", "v7-staff-version",
                    "v8-audit-anchor", "v9-verification", "v10-operating-mode", "v11-certificate-sightings", "v12-legacy-import",
                    "v13-verification-order",
                ])
            #expect(names == StoreSchema.migrator.migrations)
            #expect(try await reopened.facilities().map(\.number) == [Sample.facilityNumber(1)])
            #expect(try await reopened.verifyAuditChain() == .intact(records: 1))
            try reopened.close()
        }
    }

    /// v13 changes the order bulk re-checks visit recipients in: a job that was running when the
    /// daemon was upgraded starts again from its first recipient, with nothing counted.
    @Test func upgradeRestartsARunningJobInTheNewOrder() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        try fixture.sqlite.close()
        try await fixture.rawConnection().write { db in
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v13-verification-order'")
            try db.execute(sql: "DROP INDEX recipient_by_insurer")
            try db.execute(sql: "CREATE INDEX recipient_by_insured ON recipient(insurer_number, insured_number, facility_number)")
            try db.execute(sql: "CREATE INDEX recipient_by_verification ON recipient(facility_number, verification_status)")
            try db.execute(sql: "ALTER TABLE verification_job RENAME COLUMN cursor_recipient TO cursor_insured")
            try db.execute(sql: "ALTER TABLE verification_job ADD COLUMN cursor_facility TEXT")
            try db.execute(
                sql: """
                    INSERT INTO verification_job (id, trigger, facility_number, insurer_numbers, statuses, state, total_count,
                        processed_count, matched_count, mismatched_count, not_found_count, not_checked_count, cursor_insurer,
                        cursor_insured, cursor_facility, created_at, started_at, error_message)
                    VALUES ('running', 1, '', '131011', '', 2, 10, 4, 4, 0, 0, 0, '131011', '1234567890', '1312345679', 1, 2, ''),
                        ('queued', 1, '', '131011', '', 1, 0, 0, 0, 0, 0, 0, NULL, NULL, NULL, 3, NULL, '')
                    """)
        }
        let reopened = try SQLiteStore(path: fixture.sqlite.path)
        defer { try? reopened.close() }
        let jobs = try await reopened.snapshot { try $0.activeJobs() }
        #expect(jobs.map(\.id) == ["running", "queued"])
        #expect(jobs.map(\.state) == [.queued, .queued])
        #expect(jobs.map(\.counts) == [VerificationCounts(), VerificationCounts()])
        #expect(jobs.map(\.totalCount) == [0, 0])
        #expect(jobs.allSatisfy { $0.cursor == nil && $0.startedAt == nil })
    }

    @Test func databaseFromANewerBuildIsRefused() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        try fixture.sqlite.close()
        try await fixture.rawConnection().write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-future')")
        }

        let error = #expect(throws: StoreError.self) { try SQLiteStore(path: fixture.sqlite.path) }
        #expect(error?.code == .newerSchema)
        #expect(error?.description.contains("v99-future") == true)
        #expect(error?.description.contains(fixture.sqlite.path) == true)
    }

    @Test func missingDirectoryNamesTheFile() throws {
        let path = "/nonexistent-lifestore-\(UUID().uuidString)/life.sqlite"
        let error = #expect(throws: StoreError.self) { try SQLiteStore(path: path) }
        #expect(error?.code == .cannotOpen)
        #expect(error?.path == path)
        #expect(error?.description.contains(path) == true)
        #expect(error?.description.contains("unable to open") == true)
    }

    @Test func fileThatIsNotADatabaseNamesTheFileAndWhy() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let path = fixture.file("garbage.sqlite")
        try Data(repeating: 0x5A, count: 8192).write(to: URL(fileURLWithPath: path))

        let error = #expect(throws: StoreError.self) { try SQLiteStore(path: path) }
        #expect(error?.code == .cannotOpen)
        #expect(error?.description.contains(path) == true)
        #expect(error?.description.contains("not a database") == true)
    }
}
