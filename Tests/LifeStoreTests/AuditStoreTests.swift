import Foundation
import GRDB
import LifeCore
import LifeStore
import Testing

@Suite("AuditStore (any LifeStorage)")
struct AuditStoreTests {
    @Test func emptyChainIsIntact() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        #expect(try await fixture.store.verifyAuditChain() == .intact(records: 0))
        #expect(try await fixture.store.recentAudit(limit: 10) == [])
    }

    @Test func appendsChainEachRecordToThePreviousOne() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        var records: [AuditRecord] = []
        for index in 1...5 {
            records.append(try await fixture.store.appendAudit(Sample.event(index)))
        }

        #expect(records.map(\.sequence) == [1, 2, 3, 4, 5])
        #expect(records[0].previousHash == "")
        for (previous, record) in zip(records, records.dropFirst()) {
            #expect(record.previousHash == previous.hash)
        }
        for record in records {
            #expect(record.hash == AuditChain.hash(previousHash: record.previousHash, sequence: record.sequence, event: record.event))
        }
        #expect(try await fixture.store.verifyAuditChain() == .intact(records: 5))
        #expect(AuditChain.verify(try await fixture.store.recentAudit(limit: 100)) == .intact(records: 5))
    }

    @Test func recentAuditIsTheNewestOldestFirst() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        var records: [AuditRecord] = []
        for index in 1...6 {
            records.append(try await fixture.store.appendAudit(Sample.event(index)))
        }

        #expect(try await fixture.store.recentAudit(limit: 3) == Array(records.suffix(3)))
        #expect(try await fixture.store.recentAudit(limit: 100) == records)
        #expect(try await fixture.store.recentAudit(limit: 0) == [])
    }

    @Test func timesWithSubMicrosecondPartsReHashToTheStoredHash() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let times = [
            1_770_000_000.123_456_789, 1_770_000_000.000_000_5, 1_770_000_000.999_999_7, 1.5e-7, 2_000_000_000.777_777_777,
        ]
        var appended: [AuditRecord] = []
        for seconds in times {
            appended.append(
                try await fixture.store.appendAudit(AuditEvent(time: Date(timeIntervalSince1970: seconds), method: "/m", result: "OK")))
        }

        #expect(try await fixture.store.recentAudit(limit: 10) == appended)
        #expect(try await fixture.store.verifyAuditChain() == .intact(records: times.count))
    }

    @Test func concurrentAppendsGetDistinctSequencesAndOneChain() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let store = fixture.store

        let sequences = try await withThrowingTaskGroup(of: Int64.self) { group in
            for index in 0..<200 {
                group.addTask { try await store.appendAudit(Sample.event(index)).sequence }
            }
            return try await group.reduce(into: [Int64]()) { $0.append($1) }
        }
        #expect(sequences.sorted() == Array(1...200))
        #expect(try await store.verifyAuditChain() == .intact(records: 200))
    }

    @Test func tableIsAppendOnlyForOrdinaryConnections() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        try await fixture.store.appendAudit(Sample.event(1))
        let raw = try fixture.rawConnection()

        let update = #expect(throws: DatabaseError.self) {
            try raw.write { db in try db.execute(sql: "UPDATE audit_event SET result = 'OK'") }
        }
        #expect(update?.extendedResultCode == .SQLITE_CONSTRAINT_TRIGGER)
        let delete = #expect(throws: DatabaseError.self) {
            try raw.write { db in try db.execute(sql: "DELETE FROM audit_event") }
        }
        #expect(delete?.extendedResultCode == .SQLITE_CONSTRAINT_TRIGGER)
        #expect(try await fixture.store.verifyAuditChain() == .intact(records: 1))
    }
}

/// Audit listings filter and page in storage: every page is full but the last, newest first.
@Suite("Audit listing")
struct AuditListingTests {
    @Test("filtered pages are full, newest first, and together exactly the matching records")
    func pagedInStorage() async throws {
        let fixture = try StoreFixture()
        let store: any LifeStorage = fixture.store
        for n in 0..<300 {
            try await store.appendAudit(
                AuditEvent(time: Sample.time, facility: n % 3 == 0 ? "A" : "B", method: n % 2 == 0 ? "/x/Get" : "/x/Put", result: "OK"))
        }
        let filter = AuditFilter(facility: "A", method: "/x/Get")
        var pages: [[AuditRecord]] = []
        var before: Int64?
        repeat {
            let page = try await store.auditRecords(matching: filter, before: before, limit: 7)
            pages.append(page)
            before = page.count == 7 ? page.last?.sequence : nil
        } while before != nil
        let matching = (0..<300).filter { $0 % 6 == 0 }.map { Int64($0 + 1) }
        #expect(pages.dropLast().allSatisfy { $0.count == 7 })
        #expect(pages.flatMap { $0 }.map(\.sequence) == matching.reversed())
        let after = try await store.auditRecords(matching: AuditFilter(afterSequence: 295), before: nil, limit: 100)
        #expect(after.map(\.sequence) == [300, 299, 298, 297, 296])
        fixture.remove()
    }
}
