import LifeCore
import Testing

/// The recipient rules of `../shared/domain/CODES.md`: every violation reported at once, with its
/// field path and reason; valid edge cases accepted.
@Suite("Recipient validation")
struct RecipientDraftTests {
    static let today = CalendarDate(year: 2026, month: 11, day: 30)!

    static var valid: RecipientDraft {
        var draft = RecipientDraft()
        draft.insurerNumber = "131011"
        draft.insuredNumber = "0123456789"
        draft.fullName = "山田 花子"
        draft.fullNameKana = "ヤマダ ハナコ"
        draft.sex = 2
        draft.birthDate = .init(year: 1940, month: 4, day: 1)
        draft.certificationDate = .init(year: 2026, month: 4, day: 1)
        draft.certificationValidFrom = .init(year: 2026, month: 4, day: 1)
        draft.certificationValidUntil = .init(year: 2027, month: 3, day: 31)
        draft.careLevel = 22
        draft.serviceTypeCode = "52"
        draft.physicalIndependence = 4
        draft.dementiaIndependence = 3
        return draft
    }

    private func violations(_ change: (inout RecipientDraft) -> Void) -> [FieldViolation] {
        var draft = Self.valid
        change(&draft)
        do {
            _ = try draft.validated(today: Self.today, serviceTypes: .standard)
            return []
        } catch {
            return error.fieldViolations
        }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let field: String
        let reason: String
        let change: @Sendable (inout RecipientDraft) -> Void
        var testDescription: String { name }
    }

    static let invalid: [Case] = [
        Case(name: "insurer number missing", field: "insurer_number", reason: "REQUIRED") { $0.insurerNumber = "" },
        Case(name: "insurer number 5 digits", field: "insurer_number", reason: "FORMAT") { $0.insurerNumber = "13101" },
        Case(name: "insurer number 7 digits", field: "insurer_number", reason: "FORMAT") { $0.insurerNumber = "1310111" },
        Case(name: "insurer number with a letter", field: "insurer_number", reason: "FORMAT") { $0.insurerNumber = "13101A" },
        Case(name: "insurer number full-width digits", field: "insurer_number", reason: "FORMAT") { $0.insurerNumber = "１３１０１１" },
        Case(name: "the seed's 111111", field: "insurer_number", reason: "CHECK_DIGIT_MISMATCH") { $0.insurerNumber = "111111" },
        Case(name: "insurer check digit off by one", field: "insurer_number", reason: "CHECK_DIGIT_MISMATCH") {
            $0.insurerNumber = "131012"
        },
        Case(name: "insured number missing", field: "insured_number", reason: "REQUIRED") { $0.insuredNumber = "" },
        Case(name: "insured number 9 digits", field: "insured_number", reason: "FORMAT") { $0.insuredNumber = "012345678" },
        Case(name: "insured number lower-case h", field: "insured_number", reason: "FORMAT") { $0.insuredNumber = "h123456789" },
        Case(name: "insured number letter inside", field: "insured_number", reason: "FORMAT") { $0.insuredNumber = "01234H6789" },
        Case(name: "insured number H and 10 digits", field: "insured_number", reason: "FORMAT") { $0.insuredNumber = "H0123456789" },
        Case(name: "name missing", field: "full_name", reason: "REQUIRED") { $0.fullName = "   " },
        Case(name: "name with a control character", field: "full_name", reason: "CONTROL_CHARACTER") { $0.fullName = "山田\u{0007}花子" },
        Case(name: "name with a newline", field: "full_name", reason: "CONTROL_CHARACTER") { $0.fullName = "山田\n花子" },
        Case(name: "name too long", field: "full_name", reason: "TOO_LONG") { $0.fullName = String(repeating: "山", count: 101) },
        Case(name: "kana missing", field: "full_name_kana", reason: "REQUIRED") { $0.fullNameKana = "" },
        Case(name: "kana in hiragana", field: "full_name_kana", reason: "NOT_KATAKANA") { $0.fullNameKana = "やまだ はなこ" },
        Case(name: "kana half-width", field: "full_name_kana", reason: "NOT_KATAKANA") { $0.fullNameKana = "ﾔﾏﾀﾞ ﾊﾅｺ" },
        Case(name: "kana with latin letters", field: "full_name_kana", reason: "NOT_KATAKANA") { $0.fullNameKana = "YAMADA" },
        Case(name: "kana with kanji", field: "full_name_kana", reason: "NOT_KATAKANA") { $0.fullNameKana = "ヤマダ 花子" },
        Case(name: "sex unspecified", field: "sex", reason: "REQUIRED") { $0.sex = 0 },
        Case(name: "sex 3", field: "sex", reason: "UNKNOWN_CODE") { $0.sex = 3 },
        Case(name: "birth date missing", field: "birth_date", reason: "REQUIRED") { $0.birthDate = .init(year: 0, month: 0, day: 0) },
        Case(name: "birth date 30 February", field: "birth_date", reason: "INVALID_DATE") {
            $0.birthDate = .init(year: 1940, month: 2, day: 30)
        },
        Case(name: "birth 29 February of a non-leap year", field: "birth_date", reason: "INVALID_DATE") {
            $0.birthDate = .init(year: 1941, month: 2, day: 29)
        },
        Case(name: "birth month 13", field: "birth_date", reason: "INVALID_DATE") { $0.birthDate = .init(year: 1940, month: 13, day: 1) },
        Case(name: "birth year 1700", field: "birth_date", reason: "INVALID_DATE") { $0.birthDate = .init(year: 1700, month: 1, day: 1) },
        Case(name: "birth date tomorrow", field: "birth_date", reason: "IN_FUTURE") {
            $0.birthDate = .init(year: 2026, month: 12, day: 1)
            $0.certificationDate = .init(year: 0, month: 0, day: 0)
            $0.certificationValidFrom = .init(year: 0, month: 0, day: 0)
            $0.certificationValidUntil = .init(year: 0, month: 0, day: 0)
        },
        Case(name: "certification date in the future", field: "certification_date", reason: "IN_FUTURE") {
            $0.certificationDate = .init(year: 2027, month: 1, day: 1)
        },
        Case(name: "certification before birth", field: "certification_date", reason: "BEFORE_BIRTH") {
            $0.certificationDate = .init(year: 1939, month: 1, day: 1)
        },
        Case(name: "certification date invalid", field: "certification_date", reason: "INVALID_DATE") {
            $0.certificationDate = .init(year: 2026, month: 4, day: 31)
        },
        Case(name: "period ends before it starts", field: "certification_valid_until", reason: "BEFORE_START") {
            $0.certificationValidUntil = .init(year: 2026, month: 3, day: 31)
        },
        Case(name: "period without its end", field: "certification_valid_until", reason: "REQUIRED") {
            $0.certificationValidUntil = .init(year: 0, month: 0, day: 0)
        },
        Case(name: "period without its start", field: "certification_valid_from", reason: "REQUIRED") {
            $0.certificationValidFrom = .init(year: 0, month: 0, day: 0)
        },
        Case(name: "care level unspecified", field: "care_level", reason: "REQUIRED") { $0.careLevel = 0 },
        Case(name: "care level 26", field: "care_level", reason: "UNKNOWN_CODE") { $0.careLevel = 26 },
        Case(name: "service type missing", field: "service_type_code", reason: "REQUIRED") { $0.serviceTypeCode = "" },
        Case(name: "service type unknown", field: "service_type_code", reason: "UNKNOWN_SERVICE_TYPE") { $0.serviceTypeCode = "99" },
        Case(name: "service type lower-case", field: "service_type_code", reason: "UNKNOWN_SERVICE_TYPE") { $0.serviceTypeCode = "2a" },
        Case(name: "physical independence unspecified", field: "physical_independence", reason: "REQUIRED") { $0.physicalIndependence = 0 },
        Case(name: "physical independence 11", field: "physical_independence", reason: "UNKNOWN_CODE") { $0.physicalIndependence = 11 },
        Case(name: "dementia independence unspecified", field: "dementia_independence", reason: "REQUIRED") { $0.dementiaIndependence = 0 },
        Case(name: "dementia independence 10", field: "dementia_independence", reason: "UNKNOWN_CODE") { $0.dementiaIndependence = 10 },
    ]

    @Test("one invalid field: exactly its violation", arguments: invalid)
    func invalidField(_ invalid: Case) {
        let found = violations(invalid.change)
        #expect(found.map(\.field) == ["recipient." + invalid.field], "\(found)")
        #expect(found.map(\.reason) == [invalid.reason], "\(found)")
        #expect(found.allSatisfy { !$0.message.isEmpty })
    }

    @Test("several invalid fields: every violation at once")
    func allAtOnce() {
        let found = violations {
            $0.insurerNumber = "111111"
            $0.insuredNumber = "12"
            $0.fullNameKana = "やまだ"
            $0.sex = 0
            $0.serviceTypeCode = "ZZ"
        }
        #expect(
            Set(found.map(\.field))
                == [
                    "recipient.insurer_number", "recipient.insured_number", "recipient.full_name_kana", "recipient.sex",
                    "recipient.service_type_code",
                ])
    }

    @Test("valid edge cases: H-prefixed insured number, service type 2A, a leap-day birth, no certification")
    func edgeCases() throws {
        var draft = Self.valid
        draft.insuredNumber = "H123456789"
        draft.serviceTypeCode = "2A"
        draft.birthDate = .init(year: 1940, month: 2, day: 29)
        draft.certificationDate = .init(year: 0, month: 0, day: 0)
        draft.certificationValidFrom = .init(year: 0, month: 0, day: 0)
        draft.certificationValidUntil = .init(year: 0, month: 0, day: 0)
        draft.careLevel = 6
        draft.physicalIndependence = 10
        draft.dementiaIndependence = 9
        let fields = try draft.validated(today: Self.today, serviceTypes: .standard)
        #expect(fields.insuredNumber.rawValue == "H123456789")
        #expect(fields.birthDate == CalendarDate(year: 1940, month: 2, day: 29))
        #expect(fields.certificationDate == nil)
    }

    @Test("names: NFC, trimmed; kana spaces of either width become one full-width space")
    func normalisation() throws {
        var draft = Self.valid
        draft.fullName = "  山田 花子 "
        draft.fullNameKana = "ヤマダ 　 ハナコ・ー"
        #expect(try draft.validated(today: Self.today, serviceTypes: .standard).fullNameKana == "ヤマダ\u{3000}ハナコ・ー")
        let decomposed = "ハ\u{309A}ナコ"  // パ as ハ + combining handakuten
        draft.fullNameKana = "ヤマダ  \(decomposed)"
        let fields = try draft.validated(today: Self.today, serviceTypes: .standard)
        #expect(fields.fullName == "山田 花子")
        #expect(fields.fullNameKana == "ヤマダ\u{3000}パナコ")
    }

    @Test("insurer numbers from CODES.md pass", arguments: ["122069", "122192", "122135", "435073", "131011", "111112"])
    func realInsurers(_ number: String) throws {
        #expect(try InsurerNumber(number).rawValue == number)
    }
}
