import Foundation

/// A facility's record as its staff see it: a recipient whose fields are valid, or an imported
/// one that needs correction. Both share one id space, one ordering and one change log.
public enum RecipientRecord: Sendable, Hashable {
    case valid(Recipient)
    case needsCorrection(FlaggedRecipient)

    public var id: String {
        switch self {
        case .valid(let recipient): recipient.id
        case .needsCorrection(let flagged): flagged.id
        }
    }

    public var version: Int64 {
        switch self {
        case .valid(let recipient): recipient.version
        case .needsCorrection(let flagged): flagged.version
        }
    }

    public var createdAt: Date {
        switch self {
        case .valid(let recipient): recipient.createdAt
        case .needsCorrection(let flagged): flagged.createdAt
        }
    }

    /// Where the record stands in a list (kana, then id).
    public var cursor: RecipientCursor {
        switch self {
        case .valid(let recipient): RecipientCursor(kana: recipient.fields.fullNameKana, id: recipient.id)
        case .needsCorrection(let flagged): RecipientCursor(kana: flagged.draft.fullNameKana, id: flagged.id)
        }
    }
}

extension RecipientCursor: Comparable {
    public static func < (lhs: RecipientCursor, rhs: RecipientCursor) -> Bool {
        // The store orders text by its UTF-8 bytes (SQLite's BINARY collation); so does this.
        lhs.kana.utf8.lexicographicallyPrecedes(rhs.kana.utf8)
            || (lhs.kana == rhs.kana && lhs.id.utf8.lexicographicallyPrecedes(rhs.id.utf8))
    }
}
