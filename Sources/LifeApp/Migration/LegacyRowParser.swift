import Crypto
import LifeCore

/// Turns the data rows of a migration file into facilities or recipients. A recipient row
/// keeps every value as given (`RecipientDraft`) so a row today's rules refuse can still be
/// stored; only what no record can be stored without — a facility number, the old-system id — is
/// checked here. Each row's digest (SHA-256 of its values in column order) tells a later import
/// whether the row changed.
struct LegacyRowParser {
    /// A facility row.
    struct FacilityRow: Sendable {
        var line: Int64
        var number: FacilityNumber
        var name: String
        var serviceTypeCodes: [String]
    }

    /// A recipient row.
    struct RecipientRow: Sendable {
        var line: Int64
        var facility: FacilityNumber
        var legacyID: String
        var draft: RecipientDraft
        var digest: String
    }

    enum Row: Sendable {
        case facility(FacilityRow)
        case recipient(RecipientRow)
    }

    let header: LegacyExportHeader
    let checkFacilityDigit: Bool

    func parse(_ fields: [String], line: Int64) -> Result<Row, LegacyRowReport> {
        func reject(_ column: String, _ reason: String) -> Result<Row, LegacyRowReport> {
            .failure(LegacyRowReport(line: line, column: column, reason: reason, outcome: .rejected))
        }
        guard fields.count == header.width else { return reject("", "the row has \(fields.count) fields; the header has \(header.width)") }
        func value(_ column: String) -> String { header.index[column].map { QualificationRowParser.trimmed(fields[$0]) } ?? "" }
        let facility: FacilityNumber
        do {
            facility = try FacilityNumber(value("facility_number"), checkDigit: checkFacilityDigit)
        } catch {
            return reject("facility_number", "not a facility number: \(error.fieldViolations.first?.reason ?? "FORMAT")")
        }
        switch header.kind {
        case .facilities:
            let name = value("name")
            guard Facility.isValidName(name) else {
                return reject("name", "a facility name must be 1…200 characters without control characters")
            }
            let codes = Set(value("service_type_codes").split(whereSeparator: { $0 == " " || $0 == "\u{3000}" }).map(String.init))
            guard codes.allSatisfy({ $0.count == 2 && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } }) else {
                return reject("service_type_codes", "service type codes are 2 letters or digits each, separated by spaces")
            }
            return .success(.facility(FacilityRow(line: line, number: facility, name: name, serviceTypeCodes: codes.sorted())))
        case .recipients:
            let legacyID = value("legacy_id")
            guard (1...64).contains(legacyID.utf8.count),
                !legacyID.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
            else { return reject("legacy_id", "the old system's id must be 1…64 bytes without control characters") }
            var draft = RecipientDraft()
            draft.insurerNumber = value("insurer_number")
            draft.insuredNumber = value("insured_number")
            draft.fullName = value("full_name")
            draft.fullNameKana = value("full_name_kana")
            draft.sex = Self.code(value("sex"))
            draft.birthDate = Self.date(value("birth_date"))
            draft.certificationDate = Self.date(value("certification_date"))
            draft.certificationValidFrom = Self.date(value("certification_valid_from"))
            draft.certificationValidUntil = Self.date(value("certification_valid_until"))
            draft.careLevel = Self.code(value("care_level"))
            draft.serviceTypeCode = value("service_type_code")
            draft.physicalIndependence = Self.code(value("physical_independence"))
            draft.dementiaIndependence = Self.code(value("dementia_independence"))
            let canonical = header.kind.columns.required.map(value).joined(separator: "\u{1F}")
            let digest = Array(SHA256.hash(data: Array(canonical.utf8))).lowerHex
            return .success(.recipient(RecipientRow(line: line, facility: facility, legacyID: legacyID, draft: draft, digest: digest)))
        }
    }

    /// A code as given: 0 when empty (so the rules say "required"), -1 when not a number.
    static func code(_ text: String) -> Int {
        text.isEmpty ? 0 : Int(text).map { (-1...9_999).contains($0) ? $0 : -1 } ?? -1
    }

    /// A date as given, YYYY-MM-DD, its numbers kept even when the day does not exist; all zero
    /// when empty; year -1 when it is not of that form at all (the rules then say INVALID_DATE).
    static func date(_ text: String) -> RecipientDraft.RawDate {
        if text.isEmpty { return RecipientDraft.RawDate(year: 0, month: 0, day: 0) }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, (1...2).contains(parts[1].count), (1...2).contains(parts[2].count),
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]), year >= 0, month >= 0, day >= 0
        else { return RecipientDraft.RawDate(year: -1, month: 0, day: 0) }
        return RecipientDraft.RawDate(year: year, month: month, day: day)
    }
}
