import Foundation

/// A recipient imported from the old system whose fields today's rules refuse (要修正): kept
/// exactly as imported, with the reasons, so nothing of the old data is lost. Its facility sees
/// it like any record; only an update whose fields are all valid turns it into a `Recipient`
/// (same id, next version). Never checked for eligibility while flagged.
public struct FlaggedRecipient: Sendable, Hashable {
    public var id: String
    public var facility: FacilityNumber
    /// The fields as imported.
    public var draft: RecipientDraft
    /// Why it needs correction: one or more per invalid field, as an invalid create reports them.
    public var violations: [FieldViolation]
    /// The record's id in the old system.
    public var legacyID: String
    public var version: Int64
    public var createdAt: Date
    public var updatedAt: Date
    public var updatedBy: String

    public init(
        id: String, facility: FacilityNumber, draft: RecipientDraft, violations: [FieldViolation], legacyID: String, version: Int64,
        createdAt: Date, updatedAt: Date, updatedBy: String
    ) {
        self.id = id
        self.facility = facility
        self.draft = draft
        self.violations = violations
        self.legacyID = legacyID
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.updatedBy = updatedBy
    }
}
