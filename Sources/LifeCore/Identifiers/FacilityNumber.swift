/// 介護保険事業所番号: 10 characters, prefecture (2) + kind (1) + district (2) + serial (4) +
/// check digit (1). Only the 3rd character may be a letter (upper case, never I, O or Q).
/// The check digit is "modulus 10, weights 2-1" over the first nine characters, a letter counting
/// as A=10, B=11, … skipping I, O and Q (so Z=32); products of two digits add their digits.
/// (`../shared/domain/CODES.md`; the check is switchable because no full worked example confirms it.)
public struct FacilityNumber: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let rawValue: String

    /// Validates `text`; `checkDigit: false` skips only the check digit.
    public init(_ text: String, checkDigit: Bool = true) throws(DomainError) {
        let characters = Array(text.utf8)
        guard characters.count == 10 else {
            throw Self.invalid("LENGTH", "事業所番号 must be 10 characters, got \(characters.count)")
        }
        var values: [Int] = []
        for (index, byte) in characters.enumerated() {
            if let digit = Self.digit(byte) {
                values.append(digit)
            } else if index == 2, let letter = Self.letterValue(byte) {
                values.append(letter)
            } else {
                let position = index + 1
                throw Self.invalid(
                    "CHARACTER",
                    "事業所番号 character \(position) must be a digit" + (index == 2 ? " or an upper-case letter other than I, O, Q" : ""))
            }
        }
        if checkDigit, Self.checkDigit(of: Array(values.prefix(9))) != values[9] {
            throw Self.invalid("CHECK_DIGIT_MISMATCH", "事業所番号 check digit does not match")
        }
        rawValue = text
    }

    public var description: String { rawValue }

    public static func < (lhs: FacilityNumber, rhs: FacilityNumber) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Modulus 10, weights 2-1 from the rightmost value, two-digit products summed digit-wise.
    public static func checkDigit(of values: [Int]) -> Int {
        var sum = 0
        for (offset, value) in values.reversed().enumerated() {
            let product = value * (offset % 2 == 0 ? 2 : 1)
            sum += product / 100 + (product / 10) % 10 + product % 10
        }
        return (10 - sum % 10) % 10
    }

    private static func digit(_ byte: UInt8) -> Int? {
        (0x30...0x39).contains(byte) ? Int(byte - 0x30) : nil
    }

    /// A=10, B=11, … skipping I, O, Q.
    private static func letterValue(_ byte: UInt8) -> Int? {
        guard (0x41...0x5A).contains(byte), ![UInt8(ascii: "I"), UInt8(ascii: "O"), UInt8(ascii: "Q")].contains(byte) else { return nil }
        let skipped = [UInt8(ascii: "I"), UInt8(ascii: "O"), UInt8(ascii: "Q")].filter { $0 < byte }.count
        return Int(byte - 0x41) + 10 - skipped
    }

    private static func invalid(_ reason: String, _ message: String) -> DomainError {
        .invalidField(field: "facility_number", reason: reason, message: message)
    }
}
