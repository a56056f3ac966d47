import Foundation
import LifeCore
import Testing

/// Units of work, written against `any LifeStorage` so another backend reuses them: the row, its
/// change and its audit record commit together; concurrent units share commits, and one unit's
/// failure never rolls back another's.
@Suite("Recipient units of work")
struct RecipientUnitOfWorkTests {
    static func recipient(_ n: Int, facility: FacilityNumber) throws -> Recipient {
        let fields = RecipientFields(
            insurerNumber: try InsurerNumber("131011"), insuredNumber: try InsuredNumber(String(format: "%010d", n)),
            fullName: "山田 花子", fullNameKana: "ヤマダ\u{3000}ハナコ", sex: .female,
            birthDate: CalendarDate(year: 1940, month: 4, day: 1)!, certificationDate: nil, certificationValidFrom: nil,
            certificationValidUntil: nil, careLevel: .care2, serviceTypeCode: "52", physicalIndependence: .a1, dementiaIndependence: .iia)
        return Recipient(
            id: "r\(n)", facility: facility, fields: fields, version: 1, createdAt: Sample.time, updatedAt: Sample.time, updatedBy: "t")
    }

    private func withStore(_ body: (any LifeStorage, FacilityNumber) async throws -> Void) async throws {
        let fixture = try StoreFixture()
        let facility = Sample.facility(1)
        try await fixture.store.createFacility(facility)
        try await body(fixture.store, facility.number)
        fixture.remove()
    }

    @Test("200 concurrent units, every tenth failing after its writes: the others commit, the failed leave nothing")
    func concurrentUnits() async throws {
        struct Planned: Error {}
        try await withStore { store, facility in
            let outcomes = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
                for n in 0..<200 {
                    group.addTask {
                        do {
                            try await store.unitOfWork { unit in
                                let record = try Self.recipient(n, facility: facility)
                                try unit.insert(record)
                                try unit.appendChange(
                                    RecipientChange(
                                        facility: facility, recipientID: record.id, kind: .created, version: 1, time: Sample.time,
                                        changedBy: "t"))
                                try unit.appendAudit(
                                    AuditEvent(time: Sample.time, method: "/test/Create", target: "recipient:\(record.id)", result: "OK"))
                                if n % 10 == 0 { throw Planned() }
                            }
                            return (n, true)
                        } catch is Planned {
                            return (n, false)
                        }
                    }
                }
                return try await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
            }
            #expect(outcomes.values.filter { $0 }.count == 180)
            let stored = try await store.unitOfWork { unit in
                try unit.recipients(facility: facility, filter: RecipientFilter(), after: nil, limit: 1000).map(\.id)
            }
            #expect(Set(stored) == Set(outcomes.filter(\.value).map { "r\($0.key)" }))
            let audited = try await store.recentAudit(limit: 1000).filter { $0.event.method == "/test/Create" }.map(\.event.target)
            #expect(Set(audited) == Set(stored.map { "recipient:\($0)" }))
            #expect(try await store.unitOfWork { try $0.latestChangeSequence() } >= 180)
            guard case .intact = try await store.verifyAuditChain() else {
                Issue.record("the audit chain does not verify")
                return
            }
        }
    }

    @Test("version-checked replace and delete: stale is versionConflict, missing is notFound, duplicates alreadyExists")
    func versions() async throws {
        try await withStore { store, facility in
            try await store.unitOfWork { unit in
                try unit.insert(try Self.recipient(1, facility: facility))
                try unit.insert(try Self.recipient(2, facility: facility))
            }
            var edit = try Self.recipient(1, facility: facility)
            edit.version = 2
            edit.fields.careLevel = .care5
            let changed = edit
            try await store.unitOfWork { try $0.replace(changed, expectedVersion: 1) }
            let stale = await #expect(throws: DomainError.self) {
                try await store.unitOfWork { try $0.replace(changed, expectedVersion: 1) }
            }
            #expect(stale?.kind == .versionConflict)
            var clash = try Self.recipient(2, facility: facility)
            clash.id = "r1"
            clash.version = 3
            let duplicate = clash
            let taken = await #expect(throws: DomainError.self) {
                try await store.unitOfWork { try $0.replace(duplicate, expectedVersion: 2) }
            }
            #expect(taken?.kind == .alreadyExists)
            let missing = await #expect(throws: DomainError.self) {
                try await store.unitOfWork { try $0.delete(id: "nope", facility: facility, expectedVersion: 1) }
            }
            #expect(missing?.kind == .notFound)
            let other = Sample.facility(2).number
            let foreign = await #expect(throws: DomainError.self) {
                try await store.unitOfWork { try $0.delete(id: "r1", facility: other, expectedVersion: 2) }
            }
            #expect(foreign?.kind == .notFound)
            try await store.unitOfWork { try $0.delete(id: "r1", facility: facility, expectedVersion: 2) }
            #expect(try await store.unitOfWork { try $0.recipient(id: "r1", facility: facility) } == nil)
        }
    }
}
