import ArgumentParser
import LifeProto

/// The editable fields of a recipient as command-line options. Codes are the official numbers
/// (care level 22 = 要介護2); dates are YYYY-MM-DD. The server checks every value.
struct RecipientFieldOptions: ParsableArguments {
    @Option(help: "保険者番号, 6 digits.") var insurer: String?
    @Option(help: "被保険者番号, 10 digits or H and 9 digits.") var insured: String?
    @Option(help: "氏名.") var name: String?
    @Option(help: "氏名カナ (full-width katakana).") var kana: String?
    @Option(help: "Sex: male or female.") var sex: String?
    @Option(help: "生年月日, YYYY-MM-DD.") var birth: String?
    @Option(help: "認定日, YYYY-MM-DD.") var certified: String?
    @Option(help: "認定有効期間 start, YYYY-MM-DD.") var validFrom: String?
    @Option(help: "認定有効期間 end, YYYY-MM-DD.") var validUntil: String?
    @Option(help: "要介護状態区分 code: 01, 06, 11, 12, 13, 21…25.") var careLevel: Int?
    @Option(help: "サービス種類コード, e.g. 52 or 2A.") var service: String?
    @Option(help: "障害高齢者の日常生活自立度 code 1…10 (10 = not recorded).") var physical: Int?
    @Option(help: "認知症高齢者の日常生活自立度 code 1…9 (9 = not recorded).") var dementia: Int?

    /// Sets the given options on `recipient`; with `requireAll`, the required ones must be given.
    func apply(to recipient: inout Life_V1_Recipient, requireAll: Bool) throws {
        if requireAll {
            let missing = [
                ("--insurer", insurer == nil), ("--insured", insured == nil), ("--name", name == nil), ("--kana", kana == nil),
                ("--sex", sex == nil), ("--birth", birth == nil), ("--care-level", careLevel == nil), ("--service", service == nil),
                ("--physical", physical == nil), ("--dementia", dementia == nil),
            ].filter(\.1).map(\.0)
            guard missing.isEmpty else { throw ValidationError("missing \(missing.joined(separator: ", "))") }
        }
        if let insurer { recipient.insurerNumber = insurer }
        if let insured { recipient.insuredNumber = insured }
        if let name { recipient.fullName = name }
        if let kana { recipient.fullNameKana = kana }
        if let sex {
            switch sex.lowercased() {
            case "male", "m", "1": recipient.sex = .male
            case "female", "f", "2": recipient.sex = .female
            default: throw ValidationError("--sex must be male or female, got \(sex)")
            }
        }
        if let birth { recipient.birthDate = try Self.date(birth, "--birth") }
        if let certified { recipient.certificationDate = try Self.date(certified, "--certified") }
        if let validFrom { recipient.certificationValidFrom = try Self.date(validFrom, "--valid-from") }
        if let validUntil { recipient.certificationValidUntil = try Self.date(validUntil, "--valid-until") }
        if let careLevel { recipient.careLevel = Life_V1_CareLevel(rawValue: careLevel) ?? .UNRECOGNIZED(careLevel) }
        if let service { recipient.serviceTypeCode = service }
        if let physical { recipient.physicalIndependence = Life_V1_PhysicalIndependence(rawValue: physical) ?? .UNRECOGNIZED(physical) }
        if let dementia { recipient.dementiaIndependence = Life_V1_DementiaIndependence(rawValue: dementia) ?? .UNRECOGNIZED(dementia) }
    }

    /// `YYYY-MM-DD` as sent; "" clears the date. The server judges whether the day exists.
    static func date(_ text: String, _ option: String) throws -> Life_V1_Date {
        if text.isEmpty { return Life_V1_Date() }
        let parts = text.split(separator: "-").compactMap { Int32($0) }
        guard parts.count == 3 else { throw ValidationError("\(option) must be YYYY-MM-DD, got \(text)") }
        return .with {
            $0.year = parts[0]
            $0.month = parts[1]
            $0.day = parts[2]
        }
    }
}
