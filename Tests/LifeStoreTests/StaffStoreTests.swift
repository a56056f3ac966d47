import Foundation
import LifeCore
import LifeStore
import Testing

@Suite("StaffStore (any LifeStorage)")
struct StaffStoreTests {
    /// A store with facilities 1 and 2.
    private static func fixture() async throws -> StoreFixture {
        let fixture = try StoreFixture()
        try await fixture.store.createFacility(Sample.facility(1))
        try await fixture.store.createFacility(Sample.facility(2))
        return fixture
    }

    @Test func createReadAndList() async throws {
        let fixture = try await Self.fixture()
        defer { fixture.remove() }
        let store = fixture.store
        let facility = Sample.facilityNumber(1)

        let suzuki = try await store.createStaffMember(Sample.staff("suzuki", facility: facility))
        let admin = try await store.createStaffMember(Sample.staff("admin", facility: facility, role: .facilityAdmin))
        let id = try #require(suzuki.id)
        #expect(admin.id != nil && admin.id != id)

        #expect(try await store.staffMember(id: id) == suzuki)
        #expect(try await store.staffMember(facility: facility, loginID: "suzuki") == suzuki)
        #expect(try await store.staffMember(facility: Sample.facilityNumber(2), loginID: "suzuki") == nil)
        #expect(try await store.staffMember(id: 999) == nil)
        #expect(try await store.staffMembers(facility: facility) == [admin, suzuki])
        #expect(try await store.staffMembers(facility: Sample.facilityNumber(2)) == [])
    }

    @Test func timesComeBackAsStored() async throws {
        let fixture = try await Self.fixture()
        defer { fixture.remove() }
        let odd = Date(timeIntervalSince1970: 1_770_000_000.123_456_789)
        let created = try await fixture.store.createStaffMember(Sample.staff("tanaka", facility: Sample.facilityNumber(1), at: odd))

        #expect(try await fixture.store.staffMember(id: created.id!) == created)
        #expect(abs(created.createdAt.timeIntervalSince(odd)) < 0.000_001)
    }

    @Test func loginIDIsUniquePerFacilityOnly() async throws {
        let fixture = try await Self.fixture()
        defer { fixture.remove() }
        let store = fixture.store
        _ = try await store.createStaffMember(Sample.staff("tanaka", facility: Sample.facilityNumber(1)))

        let error = await #expect(throws: DomainError.self) {
            try await store.createStaffMember(Sample.staff("tanaka", facility: Sample.facilityNumber(1)))
        }
        #expect(error?.kind == .alreadyExists)
        _ = try await store.createStaffMember(Sample.staff("tanaka", facility: Sample.facilityNumber(2)))
        #expect(try await store.staffMembers(facility: Sample.facilityNumber(1)).count == 1)
    }

    @Test func unknownFacilityIsNotFound() async throws {
        let fixture = try await Self.fixture()
        defer { fixture.remove() }
        let error = await #expect(throws: DomainError.self) {
            try await fixture.store.createStaffMember(Sample.staff("tanaka", facility: Sample.facilityNumber(9)))
        }
        #expect(error?.kind == .notFound)
    }

    @Test("each account write changes only its own fields: no lost update from a stale copy")
    func fieldWrites() async throws {
        let fixture = try await Self.fixture()
        defer { fixture.remove() }
        let store = fixture.store
        let original = try await store.createStaffMember(Sample.staff("tanaka", facility: Sample.facilityNumber(1)))
        let id = try #require(original.id)
        _ = try await store.recordFailedLogin(staffID: id, at: Sample.time, lockAfter: 3, lockDuration: .seconds(60))

        let disabled = try await store.setStaffDisabled(staffID: id, disabled: true, at: Sample.time.addingTimeInterval(5))
        #expect(disabled.disabled)
        let renamed = try await store.updateStaffProfile(
            staffID: id, displayName: "田中 花子", role: .facilityAdmin, at: Sample.time.addingTimeInterval(10))
        #expect(renamed.displayName == "田中 花子")
        #expect(renamed.role == .facilityAdmin)
        #expect(renamed.disabled, "a profile edit must not undo the disable made meanwhile")
        #expect(renamed.passwordHash == original.passwordHash)
        #expect(renamed.failedLoginCount == 1)
        #expect(renamed.loginID == "tanaka")
        #expect(renamed.updatedAt == Sample.time.addingTimeInterval(10))

        // A reset lands while a ChangePassword is hashing: the change, checked against the old
        // hash, is refused and the reset stays.
        let reset = try await store.replacePassword(
            staffID: id, expectedHash: original.passwordHash, newHash: "$scrypt$reset", mustChange: true, at: Sample.time)
        #expect(reset.passwordHash == "$scrypt$reset" && reset.mustChangePassword)
        let stale = await #expect(throws: DomainError.self) {
            _ = try await store.replacePassword(
                staffID: id, expectedHash: original.passwordHash, newHash: "$scrypt$mine", mustChange: false, at: Sample.time)
        }
        #expect(stale?.kind == .versionConflict)
        #expect(try await store.staffMember(id: id)?.passwordHash == "$scrypt$reset")

        let notFound = await #expect(throws: DomainError.self) {
            _ = try await store.setStaffDisabled(staffID: 999, disabled: false, at: Sample.time)
        }
        #expect(notFound?.kind == .notFound)
    }

    @Test func unlockClearsTheCountAndTheLock() async throws {
        let fixture = try await Self.fixture()
        defer { fixture.remove() }
        let store = fixture.store
        let member = try await store.createStaffMember(Sample.staff("tanaka", facility: Sample.facilityNumber(1)))
        for _ in 0..<3 {
            _ = try await store.recordFailedLogin(staffID: member.id!, at: Sample.time, lockAfter: 3, lockDuration: .seconds(600))
        }
        #expect(try await store.staffMember(id: member.id!)?.isLocked(at: Sample.time) == true)
        try await store.unlockStaffMember(staffID: member.id!, at: Sample.time)
        let unlocked = try #require(try await store.staffMember(id: member.id!))
        #expect(unlocked.failedLoginCount == 0)
        #expect(unlocked.lockedUntil == nil)
        let missing = await #expect(throws: DomainError.self) { try await store.unlockStaffMember(staffID: 999, at: Sample.time) }
        #expect(missing?.kind == .notFound)
    }

    @Test func failedLoginsLockAtTheThresholdAndRestartTheCount() async throws {
        let fixture = try await Self.fixture()
        defer { fixture.remove() }
        let store = fixture.store
        let id = try #require(try await store.createStaffMember(Sample.staff("tanaka", facility: Sample.facilityNumber(1))).id)
        let lockDuration = Duration.seconds(30 * 60)

        let first = try await store.recordFailedLogin(staffID: id, at: Sample.time, lockAfter: 3, lockDuration: lockDuration)
        #expect(first.failedLoginCount == 1)
        #expect(first.lockedUntil == nil)
        let second = try await store.recordFailedLogin(staffID: id, at: Sample.time, lockAfter: 3, lockDuration: lockDuration)
        #expect(second.failedLoginCount == 2)
        #expect(!second.isLocked(at: Sample.time))

        let third = try await store.recordFailedLogin(staffID: id, at: Sample.time, lockAfter: 3, lockDuration: lockDuration)
        #expect(third.failedLoginCount == 0)
        #expect(third.lockedUntil == Sample.time.addingTimeInterval(1800))
        #expect(third.isLocked(at: Sample.time.addingTimeInterval(1799)))
        #expect(!third.isLocked(at: Sample.time.addingTimeInterval(1800)))
        #expect(try await store.staffMember(id: id) == third)

        try await store.recordSuccessfulLogin(staffID: id, at: Sample.time.addingTimeInterval(2000))
        _ = try await store.recordFailedLogin(staffID: id, at: Sample.time, lockAfter: 3, lockDuration: lockDuration)
        try await store.recordSuccessfulLogin(staffID: id, at: Sample.time.addingTimeInterval(2100))
        let afterLogin = try #require(try await store.staffMember(id: id))
        #expect(afterLogin.failedLoginCount == 0)
        #expect(afterLogin.lastLoginAt == Sample.time.addingTimeInterval(2100))
        #expect(afterLogin.updatedAt == Sample.time, "login bookkeeping does not touch updatedAt")
    }

    @Test func concurrentFailuresAreEachCountedOnce() async throws {
        let fixture = try await Self.fixture()
        defer { fixture.remove() }
        let store = fixture.store
        let id = try #require(try await store.createStaffMember(Sample.staff("tanaka", facility: Sample.facilityNumber(1))).id)

        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<40 {
                group.addTask {
                    _ = try await store.recordFailedLogin(staffID: id, at: Sample.time, lockAfter: 1000, lockDuration: .seconds(60))
                }
            }
            try await group.waitForAll()
        }
        #expect(try await store.staffMember(id: id)?.failedLoginCount == 40)

        // 25 more with lockAfter 50: the 10th reaches 50 and locks (the count restarts), 15 stay counted.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<25 {
                group.addTask {
                    _ = try await store.recordFailedLogin(staffID: id, at: Sample.time, lockAfter: 50, lockDuration: .seconds(60))
                }
            }
            try await group.waitForAll()
        }
        let member = try #require(try await store.staffMember(id: id))
        #expect(member.failedLoginCount == 15)
        #expect(member.lockedUntil == Sample.time.addingTimeInterval(60))
    }

    @Test func loginBookkeepingOfUnknownStaffIsNotFound() async throws {
        let fixture = try await Self.fixture()
        defer { fixture.remove() }
        let failed = await #expect(throws: DomainError.self) {
            try await fixture.store.recordFailedLogin(staffID: 42, at: Sample.time, lockAfter: 3, lockDuration: .seconds(1))
        }
        #expect(failed?.kind == .notFound)
        let succeeded = await #expect(throws: DomainError.self) {
            try await fixture.store.recordSuccessfulLogin(staffID: 42, at: Sample.time)
        }
        #expect(succeeded?.kind == .notFound)
    }
}
