import Foundation
import Testing

@testable import LifeCore

@Suite("Audit chain")
struct AuditChainTests {
    private func chain(_ count: Int) -> [AuditRecord] {
        var records: [AuditRecord] = []
        var previous = ""
        for sequence in 1...Int64(count) {
            let event = AuditEvent(
                time: Date(timeIntervalSince1970: 1_790_000_000 + Double(sequence)),
                facility: "1312345679",
                loginID: "user\(sequence)",
                method: "/life.v1.Auth/Login",
                result: "OK"
            )
            let hash = AuditChain.hash(previousHash: previous, sequence: sequence, event: event)
            records.append(AuditRecord(sequence: sequence, event: event, previousHash: previous, hash: hash))
            previous = hash
        }
        return records
    }

    @Test("an untouched chain verifies")
    func intact() {
        #expect(AuditChain.verify(chain(5)) == .intact(records: 5))
        #expect(AuditChain.verify([]) == .intact(records: 0))
    }

    @Test("an edited field is found at its record")
    func edited() {
        var records = chain(5)
        records[2].event.result = "UNAUTHENTICATED"
        guard case .broken(let sequence, _) = AuditChain.verify(records) else { Issue.record("not detected"); return }
        #expect(sequence == 3)
    }

    @Test("a deleted record is found where the gap is")
    func deleted() {
        var records = chain(5)
        records.remove(at: 1)
        guard case .broken(let sequence, let reason) = AuditChain.verify(records) else { Issue.record("not detected"); return }
        #expect(sequence == 3)
        #expect(reason.contains("missing"))
    }

    @Test("an inserted record breaks the chain at the insertion")
    func inserted() {
        var records = chain(4)
        var forged = records[1]
        forged.event.loginID = "intruder"
        forged.hash = AuditChain.hash(previousHash: forged.previousHash, sequence: forged.sequence, event: forged.event)
        records.insert(forged, at: 2)
        guard case .broken(let sequence, _) = AuditChain.verify(records) else { Issue.record("not detected"); return }
        #expect(sequence == 2)
    }

    @Test("fields cannot be shifted between each other without changing the hash")
    func unambiguous() {
        let a = AuditEvent(time: Date(timeIntervalSince1970: 0), loginID: "ab", method: "c", result: "OK")
        let b = AuditEvent(time: Date(timeIntervalSince1970: 0), loginID: "a", method: "bc", result: "OK")
        #expect(AuditChain.hash(previousHash: "", sequence: 1, event: a) != AuditChain.hash(previousHash: "", sequence: 1, event: b))
    }
}
