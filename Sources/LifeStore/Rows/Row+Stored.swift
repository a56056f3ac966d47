import Foundation
import GRDB
import LifeCore

extension Row {
    /// A stored time column (INTEGER microseconds).
    func time(_ column: String) throws -> Date {
        StoredTime.date(try decode(Int64.self, forColumn: column))
    }

    /// A nullable stored time column.
    func optionalTime(_ column: String) throws -> Date? {
        try decode(Int64?.self, forColumn: column).map(StoredTime.date)
    }

    /// A stored facility number. Its characters were checked when it was written (the check digit
    /// by the caller's policy), so only the shape is checked again here; a hand-edited value is
    /// `corruptData`, never an `invalidField` the caller would blame on its input.
    func facilityNumber(_ column: String, path: String) throws -> FacilityNumber {
        let text = try decode(String.self, forColumn: column)
        do {
            return try FacilityNumber(text, checkDigit: false)
        } catch {
            throw StoreError(code: .corruptData, path: path, message: "database \(path) holds an invalid facility number in \(column)")
        }
    }
}
