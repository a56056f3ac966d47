import Foundation
import GRDB
import LifeApp
import LifeCore
import Testing

@testable import LifeStore

/// A full disk, made real on SQLite's side: the writer may not grow the file past its pages.
/// Writes answer `storageFull` and change nothing; the operator's reads still answer; once space
/// returns, writes work again without a restart.
@Suite("Operator on a full disk")
struct AdminOnFullDiskTests {
    private struct PlainHasher: PasswordHasher {
        func hash(_ password: String) async throws -> String { "plain:" + password }
        func verify(_ password: String, against encoded: String) async throws -> Bool { encoded == "plain:" + password }
    }

    private static func number(_ serial: Int) throws -> FacilityNumber {
        let nine = String(format: "131%06d", serial)
        return try FacilityNumber(nine + String(FacilityNumber.checkDigit(of: nine.compactMap(\.wholeNumberValue))))
    }

    @Test("writes are storageFull and change nothing; lists, audit verify and db check still answer; space back, writes work")
    func fullDisk() async throws {
        var template = Array("/tmp/lifeapp-test-XXXXXX".utf8CString)
        let directory = String(cString: try #require(mkdtemp(&template)))
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(path: directory + "/life.sqlite")
        let admin = AdminUseCases(storage: store, hasher: PlainHasher(), passwords: PasswordPolicy())
        let operatorCall = OperatorPrincipal(call: CallRecord(method: "/life.v1.Admin/CreateFacility", localPeer: "uid=0 gid=0 pid=1"))

        let pages = try await store.pool.read { try Int.fetchOne($0, sql: "PRAGMA page_count") ?? 0 }
        try await store.pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA max_page_count = \(pages + 2)") }
        var created = 0
        var full = false
        while !full, created < 5_000 {
            do {
                _ = try await admin.createFacility(operatorCall, number: try Self.number(created + 1), name: "施設 \(created + 1)")
                created += 1
            } catch DomainError.storageFull {
                full = true
            }
        }
        #expect(full, "the writer ran out of pages")

        let listed = try await admin.listFacilities(operatorCall, includeDisabled: true, page: PageRequest(size: 500))
        #expect(listed.totalSize == created, "the failed create left nothing behind")
        #expect(try await admin.integrityCheck(operatorCall).isEmpty)
        let (verification, _) = try await admin.verifyAuditChain(operatorCall)
        #expect(verification == .intact(records: created))

        try await store.pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA max_page_count = 1073741823") }
        _ = try await admin.createFacility(operatorCall, number: try Self.number(created + 1), name: "after")
        let after = try await admin.listFacilities(operatorCall, includeDisabled: true, page: PageRequest(size: 1))
        #expect(after.totalSize == created + 1)
    }
}
