import Foundation
import LifeCore
import LifeStore

/// Fills a database file, before lifed opens it, with `facilities` facilities and `recipients`
/// recipients spread evenly over them, with valid identifiers: the scale the issue sizes for
/// (7 million recipients nationally; one node's share here). Facility 1312345679, whose sample
/// certificate the benchmark uses, is the first.
enum RecipientGenerator {
    static let benchmarkFacility = "1312345679"

    static func generate(databasePath: String, facilities: Int, recipients: Int) async throws {
        let store = try SQLiteStore(path: databasePath)
        defer { try? store.close() }
        let start = ContinuousClock.now
        var numbers = [try FacilityNumber(benchmarkFacility)]
        var serial = 0
        while numbers.count < facilities {
            serial += 1
            let nine = String(format: "271%06d", serial)
            if let number = try? FacilityNumber(nine + String(FacilityNumber.checkDigit(of: nine.compactMap(\.wholeNumberValue)))) {
                numbers.append(number)
            }
        }
        let now = Date()
        try await store.unitOfWork { [numbers] unit in
            for number in numbers { try unit.createFacility(Facility(number: number, name: "施設\(number)", createdAt: now, updatedAt: now)) }
        }
        let batch = 5_000
        for first in stride(from: 0, to: recipients, by: batch) {
            let rows = try (first..<min(recipients, first + batch)).map { n in
                try recipient(n, facility: numbers[n % numbers.count], at: now)
            }
            try await store.unitOfWork { unit in
                for row in rows { try unit.insert(row) }
            }
            FileHandle.standardError.write(Data("\rgenerated \(first + rows.count)/\(recipients) recipients".utf8))
        }
        let seconds = Double(start.duration(to: .now).components.seconds)
        FileHandle.standardError.write(Data("\ngenerated in \(Int(seconds)) s\n".utf8))
    }

    static let insurers = ["131011", "122069", "122192", "122135", "435073"]

    /// The four fields the eligibility check compares, of recipient `n` (insured number `n`,
    /// 10 digits; sex 1 male, 2 female).
    static func person(_ n: Int) -> (insurer: String, birth: (year: Int, month: Int, day: Int), sex: Int) {
        (insurers[n % insurers.count], (1925 + n % 35, 1 + n % 12, 1 + n % 28), n % 2 == 0 ? 2 : 1)
    }

    static func recipient(_ n: Int, facility: FacilityNumber, at time: Date) throws -> Recipient {
        let identity = person(n)
        let fields = RecipientFields(
            insurerNumber: try InsurerNumber(identity.insurer),
            insuredNumber: try InsuredNumber(String(format: "%010d", n)),
            fullName: "利用者 \(n)",
            fullNameKana: RecipientLoad.kanaFamilies[n % RecipientLoad.kanaFamilies.count] + "\u{3000}ハナコ",
            sex: identity.sex == 2 ? .female : .male,
            birthDate: CalendarDate(year: identity.birth.year, month: identity.birth.month, day: identity.birth.day)!,
            certificationDate: nil, certificationValidFrom: nil, certificationValidUntil: nil,
            careLevel: .care2, serviceTypeCode: "52", physicalIndependence: .a1, dementiaIndependence: .iia)
        return Recipient(
            id: String(format: "gen-%08d", n), facility: facility, fields: fields, version: 1, createdAt: time, updatedAt: time,
            updatedBy: "generator")
    }
}
