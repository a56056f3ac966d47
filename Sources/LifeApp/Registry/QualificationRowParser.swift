import Foundation
import LifeCore

/// Turns CSV records of a qualification file into records, with the identifier rules recipients
/// follow. The header names the columns (any order, other columns ignored): insurer_number,
/// insured_number, birth_date, sex, and optionally valid_from and valid_until.
public struct QualificationRowParser: Sendable {
    /// A problem with one field of one row, or with the row as a whole (`column` empty).
    public struct RowError: Sendable, Hashable {
        public var line: Int64
        public var column: String
        public var reason: String

        public init(line: Int64, column: String, reason: String) {
            self.line = line
            self.column = column
            self.reason = reason
        }
    }

    static let required = ["insurer_number", "insured_number", "birth_date", "sex"]
    static let optional = ["valid_from", "valid_until"]

    private let index: [String: Int]
    private let width: Int
    private let today: CalendarDate

    /// Reads the header; throws `failedPrecondition` naming what is missing or repeated.
    public init(header: [String], today: CalendarDate) throws(DomainError) {
        let names = header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var index: [String: Int] = [:]
        for (position, name) in names.enumerated() where Self.required.contains(name) || Self.optional.contains(name) {
            guard index[name] == nil else { throw .failedPrecondition("the header names the column \(name) twice") }
            index[name] = position
        }
        let missing = Self.required.filter { index[$0] == nil }
        guard missing.isEmpty else {
            throw .failedPrecondition(
                "the header lacks the column(s) \(missing.joined(separator: ", ")); it must name \(Self.required.joined(separator: ", "))")
        }
        self.index = index
        self.width = names.count
        self.today = today
    }

    /// The record on `line`, or every problem it has.
    public func parse(_ fields: [String], line: Int64) -> Result<QualificationRecord, ParsedRowErrors> {
        guard fields.count == width else {
            return .failure(
                ParsedRowErrors([RowError(line: line, column: "", reason: "the row has \(fields.count) fields; the header has \(width)")]))
        }
        var errors: [RowError] = []
        func value(_ column: String) -> String? {
            index[column].map { Self.trimmed(fields[$0]) }
        }
        func fail(_ column: String, _ reason: String) {
            errors.append(RowError(line: line, column: column, reason: reason))
        }
        func identifier<T>(_ column: String, _ make: (String) throws(DomainError) -> T) -> T? {
            do {
                return try make(value(column) ?? "")
            } catch .invalidField(_, _, let message) {
                fail(column, message)
            } catch {
                fail(column, "is not valid")
            }
            return nil
        }
        func date(_ column: String, required: Bool) -> CalendarDate?? {
            let text = value(column) ?? ""
            if text.isEmpty {
                if required { fail(column, "is required (YYYY-MM-DD)") }
                return required ? nil : .some(nil)
            }
            guard text.utf8.count == 10, let date = CalendarDate(iso: text) else {
                fail(column, "must be a real date written YYYY-MM-DD")
                return nil
            }
            return .some(date)
        }
        let insurer = identifier("insurer_number") { text throws(DomainError) in try InsurerNumber(text, field: "insurer_number") }
        let insured = identifier("insured_number") { text throws(DomainError) in try InsuredNumber(text, field: "insured_number") }
        let birth = date("birth_date", required: true)
        if let birth = birth ?? nil, birth > today { fail("birth_date", "is after today") }
        let sexText = value("sex") ?? ""
        let sex = Int(sexText).flatMap(Sex.init(rawValue:))
        if sex == nil { fail("sex", "must be 1 (male) or 2 (female)") }
        let from = date("valid_from", required: false)
        let until = date("valid_until", required: false)
        if let from = from ?? nil, let until = until ?? nil, until < from { fail("valid_until", "is before valid_from") }
        guard errors.isEmpty, let insurer, let insured, let birth = birth ?? nil, let sex, let from, let until else {
            return .failure(ParsedRowErrors(errors))
        }
        return .success(
            QualificationRecord(
                insurerNumber: insurer, insuredNumber: insured, birthDate: birth, sex: sex, validFrom: from, validUntil: until))
    }
}

extension QualificationRowParser {
    /// `text` without the white space (`CharacterSet.whitespaces`: tab and the space separators)
    /// at its ends. Foundation trims only when an end has some: trimming every field had taken
    /// a fifth of an import's time.
    static func trimmed(_ text: String) -> String {
        func isWhitespace(_ scalar: Unicode.Scalar) -> Bool { scalar == "\t" || scalar.properties.generalCategory == .spaceSeparator }
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last, isWhitespace(first) || isWhitespace(last)
        else { return text }
        return text.trimmingCharacters(in: .whitespaces)
    }
}

/// Every problem of one row.
public struct ParsedRowErrors: Error, Sendable {
    public var errors: [QualificationRowParser.RowError]

    public init(_ errors: [QualificationRowParser.RowError]) {
        self.errors = errors
    }
}
