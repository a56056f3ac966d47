import LifeCore

/// What a migration file from the old system holds, from its format line.
public enum LegacyExportKind: Int, Sendable, Hashable {
    case facilities = 1
    case recipients = 2

    var columns: (required: [String], optional: [String]) {
        switch self {
        case .facilities: (["facility_number", "name"], ["service_type_codes"])
        case .recipients:
            (
                [
                    "facility_number", "legacy_id", "insurer_number", "insured_number", "full_name", "full_name_kana", "sex", "birth_date",
                    "certification_date", "certification_valid_from", "certification_valid_until", "care_level", "service_type_code",
                    "physical_independence", "dementia_independence",
                ], []
            )
        }
    }
}

/// The first two lines of a migration file (docs/MIGRATION.md): the format line
/// `life-export,1,KIND` and the header naming the columns. Anything unexpected refuses the
/// whole file before a row is read.
struct LegacyExportHeader {
    static let magic = "life-export"
    static let version = "1"

    let kind: LegacyExportKind
    /// Column name → position.
    let index: [String: Int]
    let width: Int

    init(reading reader: inout CSVRecordReader, path: String) throws {
        guard let format = try reader.next() else { throw DomainError.failedPrecondition("\(path) is empty") }
        let fields = format.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        guard fields.count == 3, fields[0] == Self.magic else {
            throw DomainError.failedPrecondition(
                "\(path): line 1 must be the format line life-export,1,facilities or life-export,1,recipients (docs/MIGRATION.md)")
        }
        guard fields[1] == Self.version else {
            throw DomainError.failedPrecondition("\(path): format version \(fields[1].prefix(16)) is not one this server reads (1)")
        }
        switch fields[2] {
        case "facilities": kind = .facilities
        case "recipients": kind = .recipients
        default:
            throw DomainError.failedPrecondition(
                "\(path): line 1 names the kind \(fields[2].prefix(32)); it must be facilities or recipients")
        }
        guard let header = try reader.next() else { throw DomainError.failedPrecondition("\(path) has no header line (line 2)") }
        let (required, optional) = kind.columns
        var index: [String: Int] = [:]
        for (position, raw) in header.fields.enumerated() {
            let name = raw.trimmingCharacters(in: .whitespaces).lowercased()
            guard required.contains(name) || optional.contains(name) else {
                throw DomainError.failedPrecondition("\(path): the header names an unknown column \(name.prefix(64))")
            }
            guard index[name] == nil else { throw DomainError.failedPrecondition("\(path): the header names the column \(name) twice") }
            index[name] = position
        }
        let missing = required.filter { index[$0] == nil }
        guard missing.isEmpty else {
            throw DomainError.failedPrecondition("\(path): the header lacks the column(s) \(missing.joined(separator: ", "))")
        }
        self.index = index
        width = header.fields.count
    }
}
