import LifeCore

/// One ListRecipients request in domain terms.
public struct RecipientQuery: Sendable, Hashable {
    public var filter: RecipientFilter
    /// 1…500; 0 means the default of 50.
    public var pageSize: Int
    /// Empty for the first page.
    public var pageToken: String

    public init(filter: RecipientFilter = RecipientFilter(), pageSize: Int = 0, pageToken: String = "") {
        self.filter = filter
        self.pageSize = pageSize
        self.pageToken = pageToken
    }
}

/// One page of recipients.
public struct RecipientPage: Sendable, Hashable {
    public var recipients: [RecipientRecord]
    /// Empty on the last page.
    public var nextPageToken: String
    /// How many recipients match the filter in all.
    public var totalSize: Int
    /// The change log's newest sequence number when the page was read: a Watch after it misses
    /// no change.
    public var changeSequence: Int64
}
