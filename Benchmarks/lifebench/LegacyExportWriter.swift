import Foundation
import LifeCore

/// Writes the two files of the migration benchmark in the old system's export format
/// (docs/MIGRATION.md): `facilities` facilities (valid numbers, 271000001… with check digit) and
/// `recipients` recipients spread evenly over them, each with its old-system id. Recipient `n`
/// has the identity `RecipientGenerator.person(n)` and insured number `n`. Every 40th row
/// (n % 40 == 20) has insurer number 111111, whose check digit fails, so it is stored needing
/// correction; every 100th (n % 100 == 50) names a valid facility number that the facilities
/// file does not hold, so it is rejected. The two never fall on the same row (20 and 50 differ
/// modulo 20), so 3.5% of the rows are not imported cleanly.
enum LegacyExportWriter {
    struct Expected {
        var facilities = 0
        var rows = 0
        var needsCorrection: Int64 = 0
        var rejected: Int64 = 0
        var bytes = 0
    }

    /// Valid facility numbers: prefix `prefix` (3 digits), a 6-digit serial from 1 and the check
    /// digit; serials whose number would not validate are skipped.
    static func facilityNumbers(_ count: Int, prefix: [Int] = [2, 7, 1]) -> [String] {
        var numbers: [String] = []
        numbers.reserveCapacity(count)
        var serial = 0
        while numbers.count < count {
            serial += 1
            var nine = prefix
            var divisor = 100_000
            while divisor > 0 {
                nine.append(serial / divisor % 10)
                divisor /= 10
            }
            let text = String(decoding: (nine + [FacilityNumber.checkDigit(of: nine)]).map { UInt8(ascii: "0") + UInt8($0) }, as: UTF8.self)
            if (try? FacilityNumber(text)) != nil { numbers.append(text) }
        }
        return numbers
    }

    static func write(facilitiesPath: String, recipientsPath: String, facilities: Int, recipients: Int) throws -> Expected {
        var expected = Expected()
        let numbers = facilityNumbers(facilities)
        // Valid numbers of another prefecture, never in the facilities file.
        let unregistered = facilityNumbers(10, prefix: [2, 8, 1])
        expected.facilities = numbers.count

        var out = LegacyCSVBytes()
        out.text("life-export,1,facilities\nfacility_number,name,service_type_codes\n")
        for (index, number) in numbers.enumerated() {
            out.text(number)
            out.text(",事業所")
            out.text(number)
            out.byte(",")
            out.text(serviceTypeSets[index % serviceTypeSets.count])
            out.byte("\n")
        }
        expected.bytes += out.bytes.count
        try Data(out.bytes).write(to: URL(fileURLWithPath: facilitiesPath))

        guard FileManager.default.createFile(atPath: recipientsPath, contents: nil) else {
            throw ValidationFailure("cannot create \(recipientsPath)")
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: recipientsPath))
        defer { try? handle.close() }
        out.bytes.removeAll(keepingCapacity: true)
        out.text("life-export,1,recipients\n")
        out.text(
            "facility_number,legacy_id,insurer_number,insured_number,full_name,full_name_kana,sex,birth_date,certification_date,"
                + "certification_valid_from,certification_valid_until,care_level,service_type_code,physical_independence,dementia_independence\n"
        )
        let kana = RecipientLoad.kanaFamilies.map { Array(($0 + "\u{3000}ハナコ").utf8) }
        for n in 0..<recipients {
            let person = RecipientGenerator.person(n)
            if n % 100 == 50 {
                out.text(unregistered[n / 100 % unregistered.count])
                expected.rejected += 1
            } else {
                out.text(numbers[n % numbers.count])
            }
            out.text(",OLD-")
            out.digits(n, width: 8)
            out.byte(",")
            if n % 40 == 20 {
                out.text("111111")
                if n % 100 != 50 { expected.needsCorrection += 1 }
            } else {
                out.text(person.insurer)
            }
            out.byte(",")
            out.digits(n, width: 10)
            // Every tenth name quoted, as the old system writes some.
            out.text(n % 10 == 0 ? ",\"利用者 " : ",利用者 ")
            out.digits(n, width: 1)
            out.text(n % 10 == 0 ? "\"," : ",")
            out.bytes.append(contentsOf: kana[n % kana.count])
            out.byte(",")
            out.digits(person.sex, width: 1)
            out.byte(",")
            out.date(person.birth.year, person.birth.month, person.birth.day)
            // Half the rows certified (certification date, period start, period end), half not.
            if n % 2 == 0 {
                out.byte(",")
                out.date(2025, 1 + n % 12, 1 + n % 28)
                out.byte(",")
                out.date(2026, 1 + n % 12, 1)
                out.byte(",")
                out.date(2027, 1 + n % 12, 28)
            } else {
                out.text(",,,")
            }
            out.byte(",")
            out.digits(careLevels[n % careLevels.count], width: 1)
            out.byte(",")
            out.text(serviceTypes[n % serviceTypes.count])
            out.byte(",")
            out.digits(1 + n % 10, width: 1)
            out.byte(",")
            out.digits(1 + n % 9, width: 1)
            out.byte("\n")
            expected.rows += 1
            if out.bytes.count >= 1 << 20 {
                expected.bytes += out.bytes.count
                try handle.write(contentsOf: out.bytes)
                out.bytes.removeAll(keepingCapacity: true)
            }
        }
        expected.bytes += out.bytes.count
        try handle.write(contentsOf: out.bytes)
        return expected
    }

    static let serviceTypeSets = ["15 43", "52", "11 13 43", "15"]
    static let serviceTypes = ["15", "52", "11", "13", "43"]
    static let careLevels = [12, 13, 21, 22, 23, 24, 25, 6]
}

/// A CSV line builder that formats numbers itself (String(format:) would dominate a million rows).
private struct LegacyCSVBytes {
    var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(1 << 20 + 4096) }

    mutating func text(_ string: String) { bytes.append(contentsOf: string.utf8) }

    mutating func byte(_ ascii: Unicode.Scalar) { bytes.append(UInt8(ascii: ascii)) }

    /// `value` in decimal, zero-padded to at least `width` digits.
    mutating func digits(_ value: Int, width: Int) {
        var divisor = 1
        var count = 1
        while count < width || value / divisor >= 10 {
            divisor *= 10
            count += 1
        }
        var rest = value
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
            rest %= divisor
            divisor /= 10
        }
    }

    mutating func date(_ year: Int, _ month: Int, _ day: Int) {
        digits(year, width: 4)
        byte("-")
        digits(month, width: 2)
        byte("-")
        digits(day, width: 2)
    }
}
