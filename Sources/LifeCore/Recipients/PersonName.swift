import Foundation

/// Rules for the two name fields: NFC, trimmed, no control characters, at most 100 characters;
/// the kana name holds full-width katakana, the long-vowel mark, the middle dot and spaces only,
/// every run of spaces (half- or full-width) becoming one full-width space.
public enum PersonName {
    public static let maximumLength = 100

    /// The stored form of a kanji name, or the violation.
    public static func name(_ text: String, field: String) -> Result<String, FieldViolation> {
        let normalized = text.precomposedStringWithCanonicalMapping.trimmingCharacters(in: .whitespaces)
        if let violation = common(normalized, field: field, label: "氏名") { return .failure(violation) }
        return .success(normalized)
    }

    /// The stored form of a kana name, or the violation.
    public static func kana(_ text: String, field: String) -> Result<String, FieldViolation> {
        let collapsed = text.precomposedStringWithCanonicalMapping
            .split(whereSeparator: { $0 == " " || $0 == "\u{3000}" })
            .joined(separator: "\u{3000}")
        if let violation = common(collapsed, field: field, label: "氏名カナ") { return .failure(violation) }
        guard collapsed.unicodeScalars.allSatisfy(isKanaScalar) else {
            return .failure(
                FieldViolation(
                    field: field, reason: "NOT_KATAKANA",
                    message: "氏名カナ may hold only full-width katakana, ー, ・ and spaces"))
        }
        return .success(collapsed)
    }

    /// The normalised form of a kana prefix used to filter lists.
    public static func kanaPrefix(_ text: String) -> String {
        text.precomposedStringWithCanonicalMapping
            .split(omittingEmptySubsequences: false, whereSeparator: { $0 == " " || $0 == "\u{3000}" })
            .joined(separator: "\u{3000}")
    }

    private static func common(_ text: String, field: String, label: String) -> FieldViolation? {
        if text.isEmpty {
            return FieldViolation(field: field, reason: "REQUIRED", message: "\(label) is required")
        }
        if text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0.properties.generalCategory == .format }) {
            return FieldViolation(field: field, reason: "CONTROL_CHARACTER", message: "\(label) contains a control character")
        }
        if text.count > maximumLength || text.utf8.count > maximumLength * 4 {
            return FieldViolation(field: field, reason: "TOO_LONG", message: "\(label) is longer than \(maximumLength) characters")
        }
        return nil
    }

    /// ァ…ヺ (small letters and ヴヵヶ included), ・, ー, and the full-width space.
    private static func isKanaScalar(_ scalar: Unicode.Scalar) -> Bool {
        (0x30A1...0x30FA).contains(scalar.value) || scalar.value == 0x30FB || scalar.value == 0x30FC || scalar.value == 0x3000
    }
}
