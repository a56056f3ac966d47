/// 被保険者番号: 10 characters, 10 digits, or `H` and 9 digits for people on public assistance
/// without medical insurance. No national check digit is known, so none is enforced.
public struct InsuredNumber: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let rawValue: String

    /// Validates `text`; errors name `field`.
    public init(_ text: String, field: String = "insured_number") throws(DomainError) {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else {
            throw .invalidField(field: field, reason: "REQUIRED", message: "被保険者番号 is required")
        }
        let isDigit = { (byte: UInt8) in (0x30...0x39).contains(byte) }
        guard bytes.count == 10, isDigit(bytes[0]) || bytes[0] == UInt8(ascii: "H"), bytes.dropFirst().allSatisfy(isDigit) else {
            throw .invalidField(field: field, reason: "FORMAT", message: "被保険者番号 must be 10 digits, or H and 9 digits")
        }
        rawValue = text
    }

    public var description: String { rawValue }

    public static func < (lhs: InsuredNumber, rhs: InsuredNumber) -> Bool { lhs.rawValue < rhs.rawValue }
}
