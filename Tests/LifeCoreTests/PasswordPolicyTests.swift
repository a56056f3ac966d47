import Testing

@testable import LifeCore

@Suite("Password policy")
struct PasswordPolicyTests {
    @Test("8+ characters of two or more kinds pass", arguments: ["abcdefg1", "Abcdefgh", "correct horse battery 9", "パスワード1234"])
    func good(_ password: String) throws {
        try PasswordPolicy().check(password, loginID: "tanaka")
    }

    @Test(
        "weak passwords are refused with a reason",
        arguments: [
            ("abc1", "TOO_SHORT"), ("abcdefgh", "TOO_SIMPLE"), ("12345678", "TOO_SIMPLE"), ("Tanaka2026", "CONTAINS_LOGIN_ID"),
            ("abc\u{7}defg1", "CONTROL_CHARACTER"),
        ]
    )
    func bad(_ password: String, reason: String) {
        #expect {
            try PasswordPolicy().check(password, loginID: "tanaka")
        } throws: { error in
            guard case .invalidField(_, let actual, _) = error as? DomainError else { return false }
            return actual == reason
        }
    }
}
