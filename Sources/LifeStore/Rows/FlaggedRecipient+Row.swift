import Foundation
import GRDB
import LifeCore

extension FlaggedRecipient {
    /// The columns of `flagged_recipient`, in `columnValues` order.
    static let columns = [
        "id", "facility_number", "legacy_id", "insurer_number", "insured_number", "full_name", "full_name_kana", "sex", "birth_date",
        "certification_date", "certification_valid_from", "certification_valid_until", "care_level", "service_type_code",
        "physical_independence", "dementia_independence", "violations", "version", "created_at", "updated_at", "updated_by",
    ]
    static let selection = columns.joined(separator: ", ")

    /// The values of `columns` for `flagged`, in order.
    static func columnValues(_ flagged: FlaggedRecipient) -> [(any DatabaseValueConvertible)?] {
        let d = flagged.draft
        return [
            flagged.id, flagged.facility.rawValue, flagged.legacyID, d.insurerNumber, d.insuredNumber, d.fullName, d.fullNameKana, d.sex,
            text(d.birthDate), text(d.certificationDate), text(d.certificationValidFrom), text(d.certificationValidUntil), d.careLevel,
            d.serviceTypeCode, d.physicalIndependence, d.dementiaIndependence, violationsText(flagged.violations), flagged.version,
            StoredTime.microseconds(flagged.createdAt), StoredTime.microseconds(flagged.updatedAt), flagged.updatedBy,
        ]
    }

    /// A flagged record from a row selected with `selection`.
    init(row: Row, path: String) throws {
        func corrupt(_ column: String) -> StoreError {
            StoreError(code: .corruptData, path: path, message: "database \(path) holds an invalid flagged_recipient.\(column)")
        }
        func date(_ column: String) throws -> RecipientDraft.RawDate {
            guard let date = Self.rawDate(try row.decode(String.self, forColumn: column)) else { throw corrupt(column) }
            return date
        }
        var draft = RecipientDraft()
        draft.insurerNumber = try row.decode(String.self, forColumn: "insurer_number")
        draft.insuredNumber = try row.decode(String.self, forColumn: "insured_number")
        draft.fullName = try row.decode(String.self, forColumn: "full_name")
        draft.fullNameKana = try row.decode(String.self, forColumn: "full_name_kana")
        draft.sex = try row.decode(Int.self, forColumn: "sex")
        draft.birthDate = try date("birth_date")
        draft.certificationDate = try date("certification_date")
        draft.certificationValidFrom = try date("certification_valid_from")
        draft.certificationValidUntil = try date("certification_valid_until")
        draft.careLevel = try row.decode(Int.self, forColumn: "care_level")
        draft.serviceTypeCode = try row.decode(String.self, forColumn: "service_type_code")
        draft.physicalIndependence = try row.decode(Int.self, forColumn: "physical_independence")
        draft.dementiaIndependence = try row.decode(Int.self, forColumn: "dementia_independence")
        guard let violations = Self.violations(try row.decode(String.self, forColumn: "violations")) else { throw corrupt("violations") }
        self.init(
            id: try row.decode(String.self, forColumn: "id"),
            facility: try row.facilityNumber("facility_number", path: path),
            draft: draft,
            violations: violations,
            legacyID: try row.decode(String.self, forColumn: "legacy_id"),
            version: try row.decode(Int64.self, forColumn: "version"),
            createdAt: try row.time("created_at"),
            updatedAt: try row.time("updated_at"),
            updatedBy: try row.decode(String.self, forColumn: "updated_by"))
    }

    /// A raw date as stored: "year-month-day" with the numbers as given (a date that does not
    /// exist is kept as it came), or "" for no date.
    private static func text(_ date: RecipientDraft.RawDate) -> String {
        date == RecipientDraft.RawDate(year: 0, month: 0, day: 0) ? "" : "\(date.year)-\(date.month)-\(date.day)"
    }

    private static func rawDate(_ text: String) -> RecipientDraft.RawDate? {
        if text.isEmpty { return RecipientDraft.RawDate(year: 0, month: 0, day: 0) }
        // A leading minus belongs to the year (-1 marks a value that was not a date at all).
        let negative = text.hasPrefix("-")
        let parts = text.dropFirst(negative ? 1 : 0).split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        guard parts.count == 3, let year = parts[0], let month = parts[1], let day = parts[2] else { return nil }
        return RecipientDraft.RawDate(year: negative ? -year : year, month: month, day: day)
    }

    private struct StoredViolation: Codable {
        var field: String
        var reason: String
        var message: String
    }

    private static func violationsText(_ violations: [FieldViolation]) -> String {
        let stored = violations.map { StoredViolation(field: $0.field, reason: $0.reason, message: $0.message) }
        return String(decoding: (try? JSONEncoder().encode(stored)) ?? Data("[]".utf8), as: UTF8.self)
    }

    private static func violations(_ text: String) -> [FieldViolation]? {
        guard let stored = try? JSONDecoder().decode([StoredViolation].self, from: Data(text.utf8)), !stored.isEmpty else { return nil }
        return stored.map { FieldViolation(field: $0.field, reason: $0.reason, message: $0.message) }
    }
}
