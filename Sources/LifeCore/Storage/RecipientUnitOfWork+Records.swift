/// Records of either kind, valid or needing correction, which share one id space.
extension RecipientUnitOfWork {
    /// The record `id` of `facility`, valid or flagged, or nil.
    public func record(id: String, facility: FacilityNumber) throws -> RecipientRecord? {
        if let recipient = try recipient(id: id, facility: facility) { return .valid(recipient) }
        return try flaggedRecipient(id: id, facility: facility).map(RecipientRecord.needsCorrection)
    }

    /// Deletes `record` from its table if it is still at its version; throws as `delete`.
    public func delete(_ record: RecipientRecord) throws {
        switch record {
        case .valid(let recipient): try delete(id: recipient.id, facility: recipient.facility, expectedVersion: recipient.version)
        case .needsCorrection(let flagged): try deleteFlagged(id: flagged.id, facility: flagged.facility, expectedVersion: flagged.version)
        }
    }
}
