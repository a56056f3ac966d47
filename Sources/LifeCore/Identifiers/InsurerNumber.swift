/// 保険者番号 of care insurance: exactly 6 digits, prefecture (2) + insurer (3) + check digit (1),
/// the check digit computed as for the facility number ("modulus 10, weights 2-1").
/// `../shared/domain/CODES.md`: 131011 and 122069 pass; 111111 does not.
public struct InsurerNumber: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let rawValue: String

    /// Validates `text`; errors name `field`.
    public init(_ text: String, field: String = "insurer_number") throws(DomainError) {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else {
            throw .invalidField(field: field, reason: "REQUIRED", message: "保険者番号 is required")
        }
        guard bytes.count == 6, bytes.allSatisfy({ (0x30...0x39).contains($0) }) else {
            throw .invalidField(field: field, reason: "FORMAT", message: "保険者番号 must be 6 digits")
        }
        let digits = bytes.map { Int($0 - 0x30) }
        guard FacilityNumber.checkDigit(of: Array(digits.prefix(5))) == digits[5] else {
            throw .invalidField(field: field, reason: "CHECK_DIGIT_MISMATCH", message: "保険者番号 check digit does not match")
        }
        rawValue = text
    }

    public var description: String { rawValue }

    public static func < (lhs: InsurerNumber, rhs: InsurerNumber) -> Bool { lhs.rawValue < rhs.rawValue }
}
