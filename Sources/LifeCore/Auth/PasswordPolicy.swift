/// What a new password must be (CODES.md: with the certificate as a second factor, 8 or more
/// characters of mixed kinds).
public struct PasswordPolicy: Sendable, Hashable {
    public var minimumLength = 8
    public var maximumLength = 128
    /// How many of: lower-case, upper-case, letters without case (kana, kanji), digits, symbols.
    public var minimumCharacterKinds = 2

    public init() {}

    /// Throws `invalidField` naming what is missing. `loginID` may not appear in the password.
    public func check(_ password: String, loginID: String, field: String = "new_password") throws(DomainError) {
        func invalid(_ reason: String, _ message: String) -> DomainError {
            .invalidField(field: field, reason: reason, message: message)
        }
        let count = password.count
        guard count >= minimumLength else { throw invalid("TOO_SHORT", "password must have at least \(minimumLength) characters") }
        guard count <= maximumLength else { throw invalid("TOO_LONG", "password must have at most \(maximumLength) characters") }
        guard !password.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw invalid("CONTROL_CHARACTER", "password must not contain control characters")
        }
        var kinds = 0
        if password.contains(where: \.isLowercase) { kinds += 1 }
        if password.contains(where: \.isUppercase) { kinds += 1 }
        if password.contains(where: { $0.isLetter && !$0.isLowercase && !$0.isUppercase }) { kinds += 1 }
        if password.contains(where: \.isNumber) { kinds += 1 }
        if password.contains(where: { !$0.isLetter && !$0.isNumber }) { kinds += 1 }
        guard kinds >= minimumCharacterKinds else {
            throw invalid(
                "TOO_SIMPLE",
                "password must mix at least \(minimumCharacterKinds) of: lower-case, upper-case, other letters, digits, symbols")
        }
        if !loginID.isEmpty, password.lowercased().contains(loginID.lowercased()) {
            throw invalid("CONTAINS_LOGIN_ID", "password must not contain the login id")
        }
    }
}
