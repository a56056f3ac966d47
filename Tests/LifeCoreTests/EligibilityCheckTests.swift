import LifeCore
import Testing

/// The check's rules on one day: participation by day, validity periods, closest record.
@Suite("Eligibility check")
struct EligibilityCheckTests {
    struct Registry: EligibilityRegistry {
        var insurers: [ParticipatingInsurer] = []
        var records: [QualificationRecord] = []

        func participatingInsurer(_ insurer: InsurerNumber) throws -> ParticipatingInsurer? {
            insurers.first { $0.insurerNumber == insurer }
        }

        func qualificationRecords(insurer: InsurerNumber, insured: InsuredNumber) throws -> [QualificationRecord] {
            records.filter { $0.insurerNumber == insurer && $0.insuredNumber == insured }
        }

        func registryRevision() throws -> Int64 { 1 }
    }

    static func day(_ text: String) -> CalendarDate { CalendarDate(iso: text)! }

    static let insurer = try! InsurerNumber("131011")
    static let insured = try! InsuredNumber("0000000001")

    static func fields(birth: String = "1940-04-01", sex: Sex = .female) -> RecipientFields {
        RecipientFields(
            insurerNumber: insurer, insuredNumber: insured, fullName: "山田 花子", fullNameKana: "ヤマダ ハナコ", sex: sex, birthDate: day(birth),
            certificationDate: nil, certificationValidFrom: nil, certificationValidUntil: nil, careLevel: .care2, serviceTypeCode: "52",
            physicalIndependence: .a1, dementiaIndependence: .iia)
    }

    static func record(birth: String = "1940-04-01", sex: Sex = .female, from: String? = nil, until: String? = nil) -> QualificationRecord {
        QualificationRecord(
            insurerNumber: insurer, insuredNumber: insured, birthDate: day(birth), sex: sex, validFrom: from.map(day),
            validUntil: until.map(day))
    }

    static func registry(_ records: [QualificationRecord], joined: String = "2026-05-11", left: String? = nil) -> Registry {
        Registry(
            insurers: [
                ParticipatingInsurer(insurerNumber: insurer, name: "", joinedOn: day(joined), leftOn: left.map(day), createdAt: .now)
            ],
            records: records)
    }

    @Test("participation runs from joined_on through the day before left_on; outside it nothing is compared")
    func participationDays() throws {
        let mismatching = Self.registry([Self.record(sex: .male)], joined: "2026-06-01", left: "2026-09-01")
        let status = { (day: String) in try EligibilityCheck.check(Self.fields(), on: Self.day(day), in: mismatching).status }
        #expect(try status("2026-05-31") == .notChecked)
        #expect(try status("2026-06-01") == .mismatched)
        #expect(try status("2026-08-31") == .mismatched)
        #expect(try status("2026-09-01") == .notChecked)
        #expect(try EligibilityCheck.check(Self.fields(), on: Self.day("2026-07-01"), in: Registry()).status == .notChecked)
    }

    @Test("validity periods: inclusive ends, open ends; a record outside its period is not found")
    func validity() throws {
        let registry = Self.registry([Self.record(from: "2026-06-01", until: "2026-06-30")])
        let status = { (day: String) in try EligibilityCheck.check(Self.fields(), on: Self.day(day), in: registry).status }
        #expect(try status("2026-05-31") == .notFound)
        #expect(try status("2026-06-01") == .matched)
        #expect(try status("2026-06-30") == .matched)
        #expect(try status("2026-07-01") == .notFound)
        #expect(
            try EligibilityCheck.check(Self.fields(), on: Self.day("2030-01-01"), in: Self.registry([Self.record()])).status == .matched)
    }

    @Test("mismatch names the fields of the closest valid record; any agreeing record matches")
    func closestRecord() throws {
        let both = Self.registry([Self.record(birth: "1941-01-01", sex: .male), Self.record(birth: "1941-01-01", from: "2026-01-01")])
        let outcome = try EligibilityCheck.check(Self.fields(), on: Self.day("2026-07-01"), in: both)
        #expect(outcome == VerificationOutcome(status: .mismatched, mismatchedFields: [.birthDate]))
        let sexOnly = try EligibilityCheck.check(Self.fields(sex: .male), on: Self.day("2026-07-01"), in: Self.registry([Self.record()]))
        #expect(sexOnly.mismatchedFields == [.sex])
        let oneAgrees = Self.registry([Self.record(sex: .male), Self.record()])
        #expect(try EligibilityCheck.check(Self.fields(), on: Self.day("2026-07-01"), in: oneAgrees).status == .matched)
    }

    @Test("the digest of an insurer's records ignores their order and notices any change")
    func digest() {
        let a = Self.record(), b = Self.record(birth: "1941-01-01", from: "2026-01-01")
        var forward = RegistryDigest(), backward = RegistryDigest(), changed = RegistryDigest()
        [a, b].forEach { forward.add($0) }
        [b, a].forEach { backward.add($0) }
        [a, Self.record(birth: "1941-01-02", from: "2026-01-01")].forEach { changed.add($0) }
        #expect(forward == backward)
        #expect(forward != changed)
        #expect(RegistryDigest(stored: forward.description) == forward)
    }
}

/// Dates as stored and hashed: `YYYY-MM-DD`, zero-padded, round-tripping through `init(iso:)`.
@Suite("Calendar date text")
struct CalendarDateTextTests {
    @Test("zero-padded, and read back as the same day", arguments: ["1800-01-01", "1940-04-09", "2026-12-31", "9999-10-30"])
    func roundTrip(text: String) throws {
        let date = try #require(CalendarDate(iso: text))
        #expect(date.description == text)
    }
}
