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
                ])
            #expect(names == StoreSchema.migrator.migrations)
            #expect(try await reopened.facilities().map(\.number) == [Sample.facilityNumber(1)])
            #expect(try await reopened.verifyAuditChain() == .intact(records: 1))
            try reopened.close()
        }
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
