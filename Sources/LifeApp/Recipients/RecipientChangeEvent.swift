import LifeCore

/// One change as a watcher receives it: the change-log entry and the record as it is now (nil
/// when it has been deleted since). A watcher resuming from an old sequence number sees each
/// change once, with the record's current state.
public struct RecipientChangeEvent: Sendable, Hashable {
    public var change: RecipientChange
    public var recipient: RecipientRecord?

    public init(change: RecipientChange, recipient: RecipientRecord?) {
        self.change = change
        self.recipient = recipient
    }
}
