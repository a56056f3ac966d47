import Foundation
import LifeCore
import LifeStore
import Testing

@Suite("DirectoryStore (any LifeStorage)")
struct DirectoryStoreTests {
    @Test func facilitiesAreCreatedReadAndListedByNumber() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let store = fixture.store
        let second = Sample.facility(2, name: "ケアホーム二")
        let first = Sample.facility(1)
        try await store.createFacility(second)
        try await store.createFacility(first)

        #expect(try await store.facility(first.number) == first)
        #expect(try await store.facility(Sample.facilityNumber(3)) == nil)
        #expect(try await store.facilities() == [first, second])
    }

    @Test func duplicateFacilityNumberIsAlreadyExists() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        try await fixture.store.createFacility(Sample.facility(1))

        let error = await #expect(throws: DomainError.self) {
            try await fixture.store.createFacility(Sample.facility(1, name: "Other"))
        }
        #expect(error?.kind == .alreadyExists)
        #expect(try await fixture.store.facility(Sample.facilityNumber(1))?.name == "Facility 1")
    }

    @Test func disablingAFacility() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let store = fixture.store
        try await store.createFacility(Sample.facility(1))
        let later = Sample.time.addingTimeInterval(60)

        try await store.setFacilityDisabled(Sample.facilityNumber(1), disabled: true, at: later)
        let disabled = try #require(try await store.facility(Sample.facilityNumber(1)))
        #expect(disabled.disabled)
        #expect(disabled.updatedAt == later)
        #expect(disabled.createdAt == Sample.time)

        try await store.setFacilityDisabled(Sample.facilityNumber(1), disabled: false, at: later)
        #expect(try await store.facility(Sample.facilityNumber(1))?.disabled == false)

        let error = await #expect(throws: DomainError.self) {
            try await store.setFacilityDisabled(Sample.facilityNumber(2), disabled: true, at: later)
        }
        #expect(error?.kind == .notFound)
    }

    @Test func certificateRegistrationLifecycle() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let store = fixture.store
        try await store.createFacility(Sample.facility(1))
        try await store.createFacility(Sample.facility(2))
        let one = Sample.registration(1, facility: Sample.facilityNumber(1))
        let two = Sample.registration(2, facility: Sample.facilityNumber(2))
        try await store.registerCertificate(one)
        try await store.registerCertificate(two)

        #expect(try await store.activeCertificateRegistration(fingerprint: one.fingerprint) == one)
        #expect(try await store.certificateRegistrations(facility: nil) == [one, two])
        #expect(try await store.certificateRegistrations(facility: Sample.facilityNumber(2)) == [two])

        let revokedAt = Sample.time.addingTimeInterval(3600)
        try await store.revokeCertificate(fingerprint: one.fingerprint, at: revokedAt)
        #expect(try await store.activeCertificateRegistration(fingerprint: one.fingerprint) == nil)
        let again = await #expect(throws: DomainError.self) {
            try await store.revokeCertificate(fingerprint: one.fingerprint, at: revokedAt)
        }
        #expect(again?.kind == .notFound)

        // A revoked fingerprint may be registered anew (e.g. to another facility); both stay listed.
        var renewed = one
        renewed.facility = Sample.facilityNumber(2)
        renewed.registeredAt = revokedAt
        try await store.registerCertificate(renewed)
        #expect(try await store.activeCertificateRegistration(fingerprint: one.fingerprint) == renewed)
        var revokedOne = one
        revokedOne.revokedAt = revokedAt
        #expect(try await store.certificateRegistrations(facility: nil) == [revokedOne, two, renewed])
    }

    @Test func certificateErrors() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let store = fixture.store
        try await store.createFacility(Sample.facility(1))
        try await store.registerCertificate(Sample.registration(1, facility: Sample.facilityNumber(1)))

        let duplicate = await #expect(throws: DomainError.self) {
            try await store.registerCertificate(Sample.registration(1, facility: Sample.facilityNumber(1)))
        }
        #expect(duplicate?.kind == .alreadyExists)

        let unknownFacility = await #expect(throws: DomainError.self) {
            try await store.registerCertificate(Sample.registration(2, facility: Sample.facilityNumber(9)))
        }
        #expect(unknownFacility?.kind == .notFound)

        let unknownFingerprint = await #expect(throws: DomainError.self) {
            try await store.revokeCertificate(fingerprint: Sample.fingerprint(5), at: Sample.time)
        }
        #expect(unknownFingerprint?.kind == .notFound)
        #expect(try await store.certificateRegistrations(facility: nil).count == 1)
    }
}
