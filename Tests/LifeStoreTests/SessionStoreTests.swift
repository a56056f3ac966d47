import Foundation
import LifeCore
import LifeStore
import Testing

@Suite("SessionStore (any LifeStorage)")
struct SessionStoreTests {
    /// A store with two staff members of facility 1 and one of facility 2.
    private static func fixture() async throws -> (StoreFixture, [StaffMember]) {
        let fixture = try StoreFixture()
        let store = fixture.store
        try await store.createFacility(Sample.facility(1))
        try await store.createFacility(Sample.facility(2))
        let staff = [
            try await store.createStaffMember(Sample.staff("tanaka", facility: Sample.facilityNumber(1))),
            try await store.createStaffMember(Sample.staff("sato", facility: Sample.facilityNumber(1))),
            try await store.createStaffMember(Sample.staff("ito", facility: Sample.facilityNumber(2))),
        ]
        return (fixture, staff)
    }

    @Test func createAndRead() async throws {
        let (fixture, staff) = try await Self.fixture()
        defer { fixture.remove() }
        let session = Sample.session(1, staff: staff[0])
        try await fixture.store.createSession(session)

        #expect(try await fixture.store.session(tokenHash: session.tokenHash) == session)
        #expect(try await fixture.store.session(tokenHash: Sample.tokenHash(2)) == nil)
    }

    @Test func createErrors() async throws {
        let (fixture, staff) = try await Self.fixture()
        defer { fixture.remove() }
        let store = fixture.store
        try await store.createSession(Sample.session(1, staff: staff[0]))

        let duplicate = await #expect(throws: DomainError.self) {
            try await store.createSession(Sample.session(1, staff: staff[1]))
        }
        #expect(duplicate?.kind == .alreadyExists)

        var unknownStaff = Sample.session(2, staff: staff[0])
        unknownStaff.staffID = 999
        let notFound = await #expect(throws: DomainError.self) { try await store.createSession(unknownStaff) }
        #expect(notFound?.kind == .notFound)

        // A session's facility is its staff member's facility: the schema refuses any other.
        var otherFacility = Sample.session(3, staff: staff[0])
        otherFacility.facility = Sample.facilityNumber(2)
        let mismatch = await #expect(throws: DomainError.self) { try await store.createSession(otherFacility) }
        #expect(mismatch?.kind == .notFound)
    }

    @Test func touchMovesLastSeenForwardOnly() async throws {
        let (fixture, staff) = try await Self.fixture()
        defer { fixture.remove() }
        let store = fixture.store
        let session = Sample.session(1, staff: staff[0])
        try await store.createSession(session)

        try await store.touchSession(tokenHash: session.tokenHash, at: Sample.time.addingTimeInterval(300))
        #expect(try await store.session(tokenHash: session.tokenHash)?.lastSeenAt == Sample.time.addingTimeInterval(300))
        try await store.touchSession(tokenHash: session.tokenHash, at: Sample.time.addingTimeInterval(100))
        #expect(try await store.session(tokenHash: session.tokenHash)?.lastSeenAt == Sample.time.addingTimeInterval(300))

        let error = await #expect(throws: DomainError.self) {
            try await store.touchSession(tokenHash: Sample.tokenHash(9), at: Sample.time)
        }
        #expect(error?.kind == .notFound)
    }

    @Test func revokeKeepsTheFirstRevocationTime() async throws {
        let (fixture, staff) = try await Self.fixture()
        defer { fixture.remove() }
        let store = fixture.store
        let session = Sample.session(1, staff: staff[0])
        try await store.createSession(session)

        try await store.revokeSession(tokenHash: session.tokenHash, at: Sample.time.addingTimeInterval(60))
        try await store.revokeSession(tokenHash: session.tokenHash, at: Sample.time.addingTimeInterval(120))
        #expect(try await store.session(tokenHash: session.tokenHash)?.revokedAt == Sample.time.addingTimeInterval(60))

        let error = await #expect(throws: DomainError.self) {
            try await store.revokeSession(tokenHash: Sample.tokenHash(9), at: Sample.time)
        }
        #expect(error?.kind == .notFound)
    }

    @Test func revokeAllButOne() async throws {
        let (fixture, staff) = try await Self.fixture()
        defer { fixture.remove() }
        let store = fixture.store
        for seed in 1...4 { try await store.createSession(Sample.session(seed, staff: staff[0])) }
        try await store.createSession(Sample.session(5, staff: staff[1]))
        try await store.revokeSession(tokenHash: Sample.tokenHash(4), at: Sample.time)
        let time = Sample.time.addingTimeInterval(600)

        let revoked = try await store.revokeSessions(staffID: staff[0].id!, keeping: Sample.tokenHash(2), at: time)
        #expect(revoked == 2, "sessions 1 and 3; 4 was already revoked, 2 is kept")
        #expect(try await store.session(tokenHash: Sample.tokenHash(1))?.revokedAt == time)
        #expect(try await store.session(tokenHash: Sample.tokenHash(2))?.revokedAt == nil)
        #expect(try await store.session(tokenHash: Sample.tokenHash(3))?.revokedAt == time)
        #expect(try await store.session(tokenHash: Sample.tokenHash(4))?.revokedAt == Sample.time)
        #expect(try await store.session(tokenHash: Sample.tokenHash(5))?.revokedAt == nil, "another member's session")

        #expect(try await store.revokeSessions(staffID: staff[0].id!, keeping: Sample.tokenHash(2), at: time) == 0)
        #expect(try await store.revokeSessions(staffID: staff[0].id!, keeping: nil, at: time) == 1)
        #expect(try await store.session(tokenHash: Sample.tokenHash(2))?.revokedAt == time)
        #expect(try await store.revokeSessions(staffID: 999, keeping: nil, at: time) == 0)
    }

    @Test func deleteEndedSessionsKeepsUsableOnes() async throws {
        let (fixture, staff) = try await Self.fixture()
        defer { fixture.remove() }
        let store = fixture.store
        let usable = Sample.session(1, staff: staff[0])
        var revoked = Sample.session(2, staff: staff[0])
        revoked.revokedAt = Sample.time
        var expired = Sample.session(3, staff: staff[1])
        expired.expiresAt = Sample.time.addingTimeInterval(1)
        var idle = Sample.session(4, staff: staff[2])
        idle.lastSeenAt = Sample.time.addingTimeInterval(-7200)
        for session in [usable, revoked, expired, idle] { try await store.createSession(session) }

        let now = Sample.time.addingTimeInterval(10)
        let deleted = try await store.deleteEndedSessions(endedBefore: now, idleBefore: now.addingTimeInterval(-3600))
        #expect(deleted == 3)
        #expect(try await store.session(tokenHash: usable.tokenHash) != nil)
        for gone in [revoked, expired, idle] {
            #expect(try await store.session(tokenHash: gone.tokenHash) == nil)
        }
    }
}
