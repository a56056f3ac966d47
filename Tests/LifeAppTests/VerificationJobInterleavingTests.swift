import Foundation
import LifeApp
import LifeCore
import Testing

@testable import LifeStore

/// A bulk re-check reads and checks a batch on a snapshot, then stores the results in a unit of
/// work of its own. Recipients written between the two must come out as a clean run would leave
/// them: a changed one checked as it is now, a deleted one skipped, nobody counted twice.
@Suite("Verification job between snapshot and write")
struct VerificationJobInterleavingTests {
    /// Forwards to the real store and runs `between` once, right after the second snapshot: the
    /// runner's first looks for jobs, its second reads the first batch.
    private final class InterleavingStore: TransactionalStore {
        let store: SQLiteStore
        let between: @Sendable (SQLiteStore) async throws -> Void
        private let snapshots = Counter()

        init(_ store: SQLiteStore, between: @escaping @Sendable (SQLiteStore) async throws -> Void) {
            self.store = store
            self.between = between
        }

        func unitOfWork<T: Sendable>(_ body: @escaping @Sendable (any UnitOfWork) throws -> T) async throws -> T {
            try await store.unitOfWork(body)
        }

        func snapshot<T: Sendable>(_ body: @escaping @Sendable (any UnitOfWork) throws -> T) async throws -> T {
            let value = try await store.snapshot(body)
            if snapshots.increment() == 2 { try await between(store) }
            return value
        }
    }

    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func increment() -> Int {
            lock.withLock {
                value += 1
                return value
            }
        }
    }

    private static let insurer = try! InsurerNumber("131011")

    private static func recipient(_ n: Int, facility: FacilityNumber, version: Int64 = 1, name: String = "山田 花子") -> Recipient {
        let fields = RecipientFields(
            insurerNumber: insurer, insuredNumber: try! InsuredNumber(String(format: "%010d", n)), fullName: name,
            fullNameKana: "ヤマダ\u{3000}ハナコ", sex: .female, birthDate: CalendarDate(year: 1940, month: 4, day: 1)!,
            certificationDate: nil, certificationValidFrom: nil, certificationValidUntil: nil, careLevel: .care2, serviceTypeCode: "52",
            physicalIndependence: .a1, dementiaIndependence: .iia)
        let time = Date(timeIntervalSince1970: 1_780_000_000)
        return Recipient(
            id: "r\(n)", facility: facility, fields: fields, version: version, createdAt: time, updatedAt: time, updatedBy: "t")
    }

    @Test("a recipient updated after the snapshot is checked at its new version; a deleted one is skipped")
    func writesBetweenSnapshotAndStore() async throws {
        var template = Array("/tmp/lifeapp-test-XXXXXX".utf8CString)
        let directory = String(cString: try #require(mkdtemp(&template)))
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let sqlite = try SQLiteStore(path: directory + "/life.sqlite")
        defer { try? sqlite.close() }
        let facility = try FacilityNumber("1312345679")
        let time = Date(timeIntervalSince1970: 1_780_000_000)
        try await sqlite.unitOfWork { unit in
            try unit.createFacility(Facility(number: facility, name: "施設", createdAt: time, updatedAt: time))
            for n in 1...3 { try unit.insert(Self.recipient(n, facility: facility)) }
            try unit.insertJob(
                VerificationJob(id: "job", trigger: .requested, scope: VerificationScope(insurers: [Self.insurer]), createdAt: time))
        }
        let store = InterleavingStore(sqlite) { sqlite in
            try await sqlite.unitOfWork { unit in
                try unit.delete(id: "r1", facility: facility, expectedVersion: 1)
                try unit.replace(Self.recipient(2, facility: facility, version: 2, name: "山田 花"), expectedVersion: 1)
            }
        }
        let runner = VerificationJobRunner(store: store, signal: ChangeSignal(), batchSize: 10)
        try await runner.runPending()

        let (job, recipients) = try await sqlite.snapshot { unit in
            (try unit.job(id: "job", facility: nil), try (2...3).compactMap { try unit.recipient(id: "r\($0)", facility: facility) })
        }
        #expect(job?.state == .succeeded)
        #expect(job?.totalCount == 3, "counted when the job started")
        #expect(job?.counts.processed == 2, "the deleted recipient is not counted")
        #expect(job?.counts.notChecked == 2)
        #expect(recipients.map(\.version) == [2, 1])
        #expect(recipients.map(\.verification.recipientVersion) == [2, 1], "each result names the version it checked")
        #expect(recipients.map(\.verification.status) == [.notChecked, .notChecked])
    }
}
