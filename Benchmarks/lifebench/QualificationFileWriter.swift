import Foundation
import LifeCore

/// Writes the qualification file of the verification benchmark: rows consistent with the
/// recipients `RecipientGenerator` makes, then other people of the same and of other insurers,
/// up to `rows` in all. Of every 100 recipients 90 have a record that matches (every tenth of
/// them also an older, expired record with another birth date), 3 one with another birth date,
/// 2 one with the other sex, 3 none, and 2 only an expired one; so a re-check after the
/// recipients' insurers join should count 90% MATCHED, 5% MISMATCHED and 5% NOT_FOUND.
enum QualificationFileWriter {
    struct Expected {
        var rows = 0
        var matched: Int64 = 0
        var mismatched: Int64 = 0
        var notFound: Int64 = 0
        /// Every insurer in the file; the recipients' insurers come first.
        var insurers: [String] = []
    }

    /// Insurers that are only in the file: 45 more, so the recipients' 5 are 10% of 50, the share
    /// expected to join in the platform's first year. Prefecture (2 digits), a municipality code
    /// (3) and the check digit, as real insurer numbers are made.
    static func otherInsurers(count: Int = 45) -> [String] {
        var numbers: [String] = []
        var serial = 0
        while numbers.count < count {
            let five = String(format: "%02d%03d", 1 + serial % 47, 201 + serial / 47 * 2 + serial % 3)
            serial += 1
            let number = five + String(FacilityNumber.checkDigit(of: five.compactMap(\.wholeNumberValue)))
            if !RecipientGenerator.insurers.contains(number), !numbers.contains(number), (try? InsurerNumber(number)) != nil {
                numbers.append(number)
            }
        }
        return numbers
    }

    static func write(path: String, recipients: Int, rows: Int) throws -> Expected {
        guard FileManager.default.createFile(atPath: path, contents: nil) else { throw ValidationFailure("cannot create \(path)") }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var out = CSVBytes()
        var expected = Expected()
        expected.insurers = RecipientGenerator.insurers + otherInsurers()
        out.text("insurer_number,insured_number,birth_date,sex,valid_from,valid_until\n")
        func flushIfFull() throws {
            if out.bytes.count >= 1 << 20 {
                try handle.write(contentsOf: out.bytes)
                out.bytes.removeAll(keepingCapacity: true)
            }
        }
        for n in 0..<recipients where expected.rows < rows {
            let person = RecipientGenerator.person(n)
            let bucket = n % 100
            switch bucket {
            case 0..<90:
                if n % 10 == 3 {
                    var older = person.birth
                    older.day = older.day == 1 ? 2 : 1
                    out.row(person.insurer, insured: n, birth: older, sex: person.sex, from: "2015-04-01", until: "2021-03-31")
                    expected.rows += 1
                    out.row(person.insurer, insured: n, birth: person.birth, sex: person.sex, from: "2021-04-01", until: "")
                } else {
                    out.row(person.insurer, insured: n, birth: person.birth, sex: person.sex, from: "", until: "")
                }
                expected.matched += 1
            case 90..<93:
                var other = person.birth
                other.day = other.day < 28 ? other.day + 1 : other.day - 1
                out.row(person.insurer, insured: n, birth: other, sex: person.sex, from: "", until: "")
                expected.mismatched += 1
            case 93..<95:
                out.row(person.insurer, insured: n, birth: person.birth, sex: 3 - person.sex, from: "", until: "")
                expected.mismatched += 1
            case 95..<98:
                expected.notFound += 1
                continue
            default:
                out.row(person.insurer, insured: n, birth: person.birth, sex: person.sex, from: "2018-04-01", until: "2024-03-31")
                expected.notFound += 1
            }
            expected.rows += 1
            try flushIfFull()
        }
        // Other people, insured numbers from 1,000,000,000 (apart from the recipients'), spread
        // over all 50 insurers; every eighth with a validity period.
        var k = 0
        while expected.rows < rows {
            let insurer = expected.insurers[k % expected.insurers.count]
            let birth = (year: 1920 + k % 45, month: 1 + k % 12, day: 1 + k % 28)
            let from = k % 8 == 0 ? "2024-10-01" : ""
            out.row(insurer, insured: 1_000_000_000 + k, birth: birth, sex: 1 + k % 2, from: from, until: "")
            expected.rows += 1
            k += 1
            try flushIfFull()
        }
        try handle.write(contentsOf: out.bytes)
        return expected
    }
}

/// A CSV line builder that formats numbers itself (String(format:) would dominate 5 million rows).
private struct CSVBytes {
    var bytes: [UInt8] = []

    mutating func text(_ string: String) { bytes.append(contentsOf: string.utf8) }

    mutating func digits(_ value: Int, width: Int) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
            rest %= divisor
            divisor /= 10
        }
    }

    mutating func row(
        _ insurer: String, insured: Int, birth: (year: Int, month: Int, day: Int), sex: Int, from: String, until: String
    ) {
        text(insurer)
        bytes.append(UInt8(ascii: ","))
        digits(insured, width: 10)
        bytes.append(UInt8(ascii: ","))
        digits(birth.year, width: 4)
        bytes.append(UInt8(ascii: "-"))
        digits(birth.month, width: 2)
        bytes.append(UInt8(ascii: "-"))
        digits(birth.day, width: 2)
        bytes.append(UInt8(ascii: ","))
        digits(sex, width: 1)
        bytes.append(UInt8(ascii: ","))
        text(from)
        bytes.append(UInt8(ascii: ","))
        text(until)
        bytes.append(UInt8(ascii: "\n"))
    }
}
