/// One field that breaks a rule: where (a path such as `recipient.insurer_number`), a
/// machine-readable reason (`CHECK_DIGIT_MISMATCH`), and a message for people.
public struct FieldViolation: Error, Sendable, Hashable {
    public var field: String
    public var reason: String
    public var message: String

    public init(field: String, reason: String, message: String) {
        self.field = field
        self.reason = reason
        self.message = message
    }
}
