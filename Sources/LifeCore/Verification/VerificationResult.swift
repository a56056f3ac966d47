import Foundation

/// Outcome of checking a recipient against the qualification registry (資格確認結果), with the
/// wire's numbering. `unverified` is a recipient never checked.
public enum VerificationStatus: Int, Sendable, Hashable, CaseIterable {
    case unverified = 0
    case matched = 1
    case mismatched = 2
    case notFound = 3
    case notChecked = 4
}

/// A field the check compares (照合項目), with the wire's numbering. The registry is searched by
/// insurer and insured number, so a mismatch names the birth date or the sex.
public enum VerificationField: Int, Sendable, Hashable, CaseIterable, Comparable {
    case insurerNumber = 1
    case insuredNumber = 2
    case birthDate = 3
    case sex = 4

    public static func < (lhs: VerificationField, rhs: VerificationField) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// What a check found, before it is stored.
public struct VerificationOutcome: Sendable, Hashable {
    public var status: VerificationStatus
    /// Sorted; empty unless `mismatched`.
    public var mismatchedFields: [VerificationField]

    public init(status: VerificationStatus, mismatchedFields: [VerificationField] = []) {
        self.status = status
        self.mismatchedFields = mismatchedFields.sorted()
    }
}

/// The stored result of a recipient's latest check.
public struct VerificationResult: Sendable, Hashable {
    public var outcome: VerificationOutcome
    /// When the check ran; nil when never checked.
    public var checkedAt: Date?
    /// The day (in Japan) participation and validity periods were judged on.
    public var checkedOn: CalendarDate?
    /// The recipient's version that was checked.
    public var recipientVersion: Int64
    /// The registry's revision the check read (`EligibilityRegistry.registryRevision`).
    public var registryRevision: Int64

    public init(outcome: VerificationOutcome, checkedAt: Date?, checkedOn: CalendarDate?, recipientVersion: Int64, registryRevision: Int64)
    {
        self.outcome = outcome
        self.checkedAt = checkedAt
        self.checkedOn = checkedOn
        self.recipientVersion = recipientVersion
        self.registryRevision = registryRevision
    }

    /// A recipient never checked.
    public static let unverified = VerificationResult(
        outcome: VerificationOutcome(status: .unverified), checkedAt: nil, checkedOn: nil, recipientVersion: 0, registryRevision: 0)

    public var status: VerificationStatus { outcome.status }
}
