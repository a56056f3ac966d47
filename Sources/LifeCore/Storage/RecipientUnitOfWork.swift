import Foundation

/// Recipients and their change log.
public protocol RecipientUnitOfWork {
    /// The recipient `id` of `facility`, or nil (another facility's record is nil too).
    func recipient(id: String, facility: FacilityNumber) throws -> Recipient?
    /// Up to `limit` recipients of `facility` matching `filter`, ordered by kana then id,
    /// starting after `cursor`.
    func recipients(facility: FacilityNumber, filter: RecipientFilter, after cursor: RecipientCursor?, limit: Int) throws -> [Recipient]
    /// How many recipients of `facility` match `filter`.
    func countRecipients(facility: FacilityNumber, filter: RecipientFilter) throws -> Int
    /// The sequence number of the newest change ever logged, pruned or not; before the first
    /// change, a number that stands for "before it" (never 0, which means "from now on").
    func latestChangeSequence() throws -> Int64
    /// Up to `limit` change-log entries of `facility` after `sequence`, oldest first.
    func changes(facility: FacilityNumber, after sequence: Int64, limit: Int) throws -> [RecipientChange]
    /// Every change-log entry up to this sequence number has been pruned (0 when none was).
    func prunedThrough() throws -> Int64
    /// Deletes change-log entries older than `time`; returns how many.
    @discardableResult
    func pruneChanges(before time: Date) throws -> Int

    /// Throws `alreadyExists` when the facility has the same insurer and insured number.
    func insert(_ recipient: Recipient) throws
    /// Writes `recipient` over the stored one if its version is still `expectedVersion`.
    /// Throws `notFound` when missing, `versionConflict` when stale, `alreadyExists` when the
    /// new insurer and insured number belong to another recipient of the facility.
    func replace(_ recipient: Recipient, expectedVersion: Int64) throws
    /// Deletes the recipient if its version is still `expectedVersion`; throws as `replace`.
    func delete(id: String, facility: FacilityNumber, expectedVersion: Int64) throws
    /// The flagged (needs-correction) record `id` of `facility`, or nil.
    func flaggedRecipient(id: String, facility: FacilityNumber) throws -> FlaggedRecipient?
    /// Up to `limit` flagged records of `facility` matching `filter` on their raw fields, ordered
    /// by kana then id, starting after `cursor`.
    func flaggedRecipients(facility: FacilityNumber, filter: RecipientFilter, after cursor: RecipientCursor?, limit: Int) throws
        -> [FlaggedRecipient]
    /// How many flagged records of `facility` match `filter`.
    func countFlaggedRecipients(facility: FacilityNumber, filter: RecipientFilter) throws -> Int
    /// Stores a flagged record; its id must not be in use by any record.
    func insertFlagged(_ flagged: FlaggedRecipient) throws
    /// Writes `flagged` over the stored flagged record if its version is still `expectedVersion`;
    /// throws as `replace`.
    func replaceFlagged(_ flagged: FlaggedRecipient, expectedVersion: Int64) throws
    /// Deletes the flagged record if its version is still `expectedVersion`; throws as `replace`.
    func deleteFlagged(id: String, facility: FacilityNumber, expectedVersion: Int64) throws

    /// Appends to the change log; returns the change's sequence number.
    @discardableResult
    func appendChange(_ change: RecipientChange) throws -> Int64
}
