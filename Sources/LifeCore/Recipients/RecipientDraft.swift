/// A recipient as a terminal sent it, not yet checked: codes as raw numbers, dates as raw parts
/// (year 0 = no date). `validated` checks every field and reports every violation at once.
public struct RecipientDraft: Sendable, Hashable {
    /// A date as sent: year, month, day; all zero for "no date".
    public struct RawDate: Sendable, Hashable {
        public var year: Int
        public var month: Int
        public var day: Int

        public init(year: Int, month: Int, day: Int) {
            self.year = year
            self.month = month
            self.day = day
        }

        var isEmpty: Bool { year == 0 && month == 0 && day == 0 }
    }

    public var insurerNumber = ""
    public var insuredNumber = ""
    public var fullName = ""
    public var fullNameKana = ""
    public var sex = 0
    public var birthDate = RawDate(year: 0, month: 0, day: 0)
    public var certificationDate = RawDate(year: 0, month: 0, day: 0)
    public var certificationValidFrom = RawDate(year: 0, month: 0, day: 0)
    public var certificationValidUntil = RawDate(year: 0, month: 0, day: 0)
    public var careLevel = 0
    public var serviceTypeCode = ""
    public var physicalIndependence = 0
    public var dementiaIndependence = 0

    public init() {}

    /// The checked fields, or `DomainError.invalidFields` with one violation per bad field
    /// (paths under `prefix`, e.g. `recipient.birth_date`). `today` bounds the dates.
    public func validated(today: CalendarDate, serviceTypes: ServiceTypeTable, prefix: String = "recipient.") throws(DomainError)
        -> RecipientFields
    {
        var violations: [FieldViolation] = []
        func field(_ name: String) -> String { prefix + name }
        func check<T>(_ body: () throws(DomainError) -> T) -> T? {
            do {
                return try body()
            } catch {
                violations.append(contentsOf: error.fieldViolations)
                return nil
            }
        }
        func value<T>(_ result: Result<T, FieldViolation>) -> T? {
            switch result {
            case .success(let value): return value
            case .failure(let violation):
                violations.append(violation)
                return nil
            }
        }
        func code<T: RawRepresentable<Int>>(_ raw: Int, _ name: String, _ label: String) -> T? {
            if raw == 0 {
                violations.append(FieldViolation(field: field(name), reason: "REQUIRED", message: "\(label) is required"))
                return nil
            }
            guard let code = T(rawValue: raw) else {
                violations.append(
                    FieldViolation(field: field(name), reason: "UNKNOWN_CODE", message: "\(label) \(raw) is not a known code"))
                return nil
            }
            return code
        }
        func date(_ raw: RawDate, _ name: String, _ label: String, required: Bool) -> CalendarDate? {
            if raw.isEmpty {
                if required { violations.append(FieldViolation(field: field(name), reason: "REQUIRED", message: "\(label) is required")) }
                return nil
            }
            guard let date = CalendarDate(year: raw.year, month: raw.month, day: raw.day) else {
                violations.append(
                    FieldViolation(field: field(name), reason: "INVALID_DATE", message: "\(label) is not a date between 1800 and 9999"))
                return nil
            }
            return date
        }

        let insurer = check { () throws(DomainError) in try InsurerNumber(insurerNumber, field: field("insurer_number")) }
        let insured = check { () throws(DomainError) in try InsuredNumber(insuredNumber, field: field("insured_number")) }
        let name = value(PersonName.name(fullName, field: field("full_name")))
        let kana = value(PersonName.kana(fullNameKana, field: field("full_name_kana")))
        let sex: Sex? = code(sex, "sex", "性別")
        let birth = date(birthDate, "birth_date", "生年月日", required: true)
        if let birth, birth > today {
            violations.append(FieldViolation(field: field("birth_date"), reason: "IN_FUTURE", message: "生年月日 is in the future"))
        }
        let certified = date(certificationDate, "certification_date", "認定日", required: false)
        if let certified, certified > today {
            violations.append(FieldViolation(field: field("certification_date"), reason: "IN_FUTURE", message: "認定日 is in the future"))
        }
        if let certified, let birth, certified < birth {
            violations.append(
                FieldViolation(field: field("certification_date"), reason: "BEFORE_BIRTH", message: "認定日 is before 生年月日"))
        }
        let from = date(certificationValidFrom, "certification_valid_from", "認定有効期間の開始日", required: !certificationValidUntil.isEmpty)
        let until = date(certificationValidUntil, "certification_valid_until", "認定有効期間の終了日", required: !certificationValidFrom.isEmpty)
        if let from, let until, from > until {
            violations.append(
                FieldViolation(
                    field: field("certification_valid_until"), reason: "BEFORE_START", message: "認定有効期間 ends before it starts"))
        }
        if let from, let birth, from < birth {
            violations.append(
                FieldViolation(field: field("certification_valid_from"), reason: "BEFORE_BIRTH", message: "認定有効期間 starts before 生年月日"))
        }
        let care: CareLevel? = code(careLevel, "care_level", "要介護状態区分")
        var service: String?
        if serviceTypeCode.isEmpty {
            violations.append(FieldViolation(field: field("service_type_code"), reason: "REQUIRED", message: "サービス種類コード is required"))
        } else if !serviceTypes.contains(serviceTypeCode) {
            violations.append(
                FieldViolation(
                    field: field("service_type_code"), reason: "UNKNOWN_SERVICE_TYPE",
                    message: "サービス種類コード is not in the server's code table"))
        } else {
            service = serviceTypeCode
        }
        let physical: PhysicalIndependence? = code(physicalIndependence, "physical_independence", "障害高齢者の日常生活自立度")
        let dementia: DementiaIndependence? = code(dementiaIndependence, "dementia_independence", "認知症高齢者の日常生活自立度")

        guard violations.isEmpty, let insurer, let insured, let name, let kana, let sex, let birth, let care, let service, let physical,
            let dementia
        else {
            throw .invalidFields(violations)
        }
        return RecipientFields(
            insurerNumber: insurer, insuredNumber: insured, fullName: name, fullNameKana: kana, sex: sex, birthDate: birth,
            certificationDate: certified, certificationValidFrom: from, certificationValidUntil: until, careLevel: care,
            serviceTypeCode: service, physicalIndependence: physical, dementiaIndependence: dementia)
    }
}

extension DomainError {
    /// The field violations this error carries (none for other kinds).
    public var fieldViolations: [FieldViolation] {
        switch self {
        case .invalidField(let field, let reason, let message): [FieldViolation(field: field, reason: reason, message: message)]
        case .invalidFields(let violations): violations
        default: []
        }
    }
}
