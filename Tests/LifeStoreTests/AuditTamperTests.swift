import Foundation
import GRDB
import LifeCore
import LifeStore
import Testing

/// Someone with write access to the file changes the log behind the daemon's back, dropping the
/// append-only triggers first as an attacker would. `verifyAuditChain` must name the first record
/// where the chain breaks.
@Suite("Audit chain tampering")
struct AuditTamperTests {
    /// A store holding a chain of ten records, and a raw connection without the triggers.
    private static func tamperable() async throws -> (StoreFixture, DatabaseQueue, [AuditRecord]) {
        let fixture = try StoreFixture()
        var records: [AuditRecord] = []
        for index in 1...10 {
            records.append(try await fixture.store.appendAudit(Sample.event(index)))
        }
        let raw = try fixture.rawConnection()
        try await raw.write { db in
            try db.execute(sql: "DROP TRIGGER audit_event_no_update; DROP TRIGGER audit_event_no_delete")
        }
        return (fixture, raw, records)
    }

    /// Inserts `record` as a raw row.
    private static func insert(_ record: AuditRecord, into db: Database) throws {
        let event = record.event
        try db.execute(
            sql: """
                INSERT INTO audit_event (sequence, occurred_at, facility, login_id, certificate_fingerprint, local_peer,
                    method, target, result, reason, previous_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                record.sequence, Int64((event.time.timeIntervalSince1970 * 1_000_000).rounded()), event.facility,
                event.loginID, event.certificateFingerprint, event.localPeer, event.method, event.target, event.result,
                event.reason, record.previousHash, record.hash,
            ]
        )
    }

    /// A record that hashes correctly over its own fields.
    private static func forged(sequence: Int64, previousHash: String) -> AuditRecord {
        let event = AuditEvent(time: Sample.time, loginID: "intruder", method: "/life.v1.Auth/Login", result: "OK")
        return AuditRecord(
            sequence: sequence,
            event: event,
            previousHash: previousHash,
            hash: AuditChain.hash(previousHash: previousHash, sequence: sequence, event: event)
        )
    }

    @Test func editingOneFieldIsLocatedAtThatRecord() async throws {
        let (fixture, raw, _) = try await Self.tamperable()
        defer { fixture.remove() }
        try await raw.write { db in
            try db.execute(sql: "UPDATE audit_event SET result = 'OK', reason = '' WHERE sequence = 7")
        }

        let verification = try await fixture.store.verifyAuditChain()
        guard case .broken(let sequence, let reason) = verification else {
            Issue.record("expected a broken chain, got \(verification)")
            return
        }
        #expect(sequence == 7)
        #expect(reason.contains("altered"))
    }

    @Test func shiftingATimeByOneMicrosecondIsDetected() async throws {
        let (fixture, raw, _) = try await Self.tamperable()
        defer { fixture.remove() }
        try await raw.write { db in
            try db.execute(sql: "UPDATE audit_event SET occurred_at = occurred_at + 1 WHERE sequence = 3")
        }
        let verification = try await fixture.store.verifyAuditChain()
        #expect(verification == .broken(sequence: 3, reason: "record 3 was altered (hash does not match its fields)"))
    }

    @Test func deletingAMiddleRecordIsLocatedAtItsSuccessor() async throws {
        let (fixture, raw, _) = try await Self.tamperable()
        defer { fixture.remove() }
        try await raw.write { db in try db.execute(sql: "DELETE FROM audit_event WHERE sequence = 5") }

        let verification = try await fixture.store.verifyAuditChain()
        #expect(verification == .broken(sequence: 6, reason: "records 5…5 are missing"))
    }

    @Test func deletingAndRenumberingIsStillDetected() async throws {
        let (fixture, raw, _) = try await Self.tamperable()
        defer { fixture.remove() }
        try await raw.write { db in
            try db.execute(sql: "DELETE FROM audit_event WHERE sequence = 5")
            try db.execute(sql: "UPDATE audit_event SET sequence = sequence + 1000 WHERE sequence > 5")
            try db.execute(sql: "UPDATE audit_event SET sequence = sequence - 1001 WHERE sequence > 1000")
        }
        let verification = try await fixture.store.verifyAuditChain()
        guard case .broken(let sequence, _) = verification else {
            Issue.record("expected a broken chain, got \(verification)")
            return
        }
        #expect(sequence == 5, "old record 6, now numbered 5, does not follow record 4")
    }

    @Test func insertingAForgedRecordInTheMiddleIsLocatedAtTheRecordAfterIt() async throws {
        let (fixture, raw, records) = try await Self.tamperable()
        defer { fixture.remove() }
        try await raw.write { db in
            // Make room at 5 (two steps: the primary key is checked row by row), then insert a
            // record that hashes correctly and links to record 4.
            try db.execute(sql: "UPDATE audit_event SET sequence = sequence + 1000 WHERE sequence >= 5")
            try db.execute(sql: "UPDATE audit_event SET sequence = sequence - 999 WHERE sequence >= 1000")
            try Self.insert(Self.forged(sequence: 5, previousHash: records[3].hash), into: db)
        }
        #expect(try await fixture.store.recentAudit(limit: 100).count == 11)

        let verification = try await fixture.store.verifyAuditChain()
        #expect(verification == .broken(sequence: 6, reason: "previous hash does not match record 5"))
    }

    @Test func appendingARecordWithAWrongPreviousHashIsLocated() async throws {
        let (fixture, raw, _) = try await Self.tamperable()
        defer { fixture.remove() }
        try await raw.write { db in
            try Self.insert(Self.forged(sequence: 11, previousHash: String(repeating: "0", count: 64)), into: db)
        }
        let verification = try await fixture.store.verifyAuditChain()
        #expect(verification == .broken(sequence: 11, reason: "previous hash does not match record 10"))
    }

    @Test func theStoreKeepsAppendingAfterATamperAndStillReportsIt() async throws {
        let (fixture, raw, _) = try await Self.tamperable()
        defer { fixture.remove() }
        try await raw.write { db in try db.execute(sql: "UPDATE audit_event SET login_id = 'x' WHERE sequence = 2") }
        let appended = try await fixture.store.appendAudit(Sample.event(11))

        #expect(appended.sequence == 11)
        let verification = try await fixture.store.verifyAuditChain()
        guard case .broken(let sequence, _) = verification else {
            Issue.record("expected a broken chain, got \(verification)")
            return
        }
        #expect(sequence == 2)
    }

    // The sealed head (audit.anchor_key): what the chain alone cannot see.

    @Test func deletingTheNewestRecordsIsDetectedByTheSealedHead() async throws {
        let (fixture, raw, _) = try await Self.tamperable()
        defer { fixture.remove() }
        try await raw.write { db in try db.execute(sql: "DELETE FROM audit_event WHERE sequence > 7") }
        #expect(
            try await fixture.store.verifyAuditChain()
                == .broken(sequence: 8, reason: "records 8…10 are missing: the sealed head is record 10"))
        #expect(fixture.store.auditHeadAnchored)
    }

    @Test func recordsAppendedAfterATruncationDoNotSealOverIt() async throws {
        let (fixture, raw, _) = try await Self.tamperable()
        defer { fixture.remove() }
        try await raw.write { db in try db.execute(sql: "DELETE FROM audit_event WHERE sequence > 7") }
        let appended = try await fixture.store.appendAudit(Sample.event(11))
        #expect(appended.sequence == 8)
        #expect(
            try await fixture.store.verifyAuditChain()
                == .broken(sequence: 9, reason: "records 9…10 are missing: the sealed head is record 10"))
    }

    @Test func appendingAWellHashedRecordWithoutTheKeyIsDetected() async throws {
        let (fixture, raw, records) = try await Self.tamperable()
        defer { fixture.remove() }
        try await raw.write { db in try Self.insert(Self.forged(sequence: 11, previousHash: records[9].hash), into: db) }
        #expect(
            try await fixture.store.verifyAuditChain()
                == .broken(sequence: 11, reason: "records 11…11 were appended without the key (the sealed head is record 10)"))
    }

    @Test func resealingWithoutTheKeyIsDetected() async throws {
        let (fixture, raw, records) = try await Self.tamperable()
        defer { fixture.remove() }
        let otherKey = try AuditAnchorKey(bytes: Array(repeating: 7, count: 32))
        try await raw.write { db in
            try db.execute(sql: "DELETE FROM audit_event WHERE sequence > 7")
            try db.execute(
                sql: "UPDATE audit_anchor SET sequence = 7, hash = ?, seal = ?",
                arguments: [records[6].hash, otherKey.seal(sequence: 7, hash: records[6].hash)])
        }
        #expect(
            try await fixture.store.verifyAuditChain()
                == .broken(sequence: 7, reason: "the sealed head does not open with the key (forged, or the key changed)"))
    }

    @Test func aStoreWithoutAKeyDoesNotSeeTruncation() async throws {
        let (fixture, raw, _) = try await Self.tamperable()
        defer { fixture.remove() }
        try await raw.write { db in try db.execute(sql: "DELETE FROM audit_event WHERE sequence > 7") }
        let unkeyed = try SQLiteStore(path: fixture.sqlite.path)
        #expect(!unkeyed.auditHeadAnchored)
        #expect(try await unkeyed.verifyAuditChain() == .intact(records: 7), "the documented limit without audit.anchor_key")
    }
}
