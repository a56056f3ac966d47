import Foundation

/// One entry of the change log that feeds WatchRecipients: what happened to which record of
/// which facility, in commit order. Carries no recipient field.
public struct RecipientChange: Sendable, Hashable {
    public enum Kind: Int, Sendable, Hashable {
        case created = 1
        case updated = 2
        case deleted = 3
        case verified = 4
    }

    /// Assigned by the store on append; 0 before.
    public var sequence: Int64
    public var facility: FacilityNumber
    public var recipientID: String
    public var kind: Kind
    /// The record's version after the change (the deleted version for a delete).
    public var version: Int64
    public var time: Date
    /// Login id of who made it; empty for the server.
    public var changedBy: String

    public init(
        sequence: Int64 = 0, facility: FacilityNumber, recipientID: String, kind: Kind, version: Int64, time: Date, changedBy: String
    ) {
        self.sequence = sequence
        self.facility = facility
        self.recipientID = recipientID
        self.kind = kind
        self.version = version
        self.time = time
        self.changedBy = changedBy
    }
}
