import LifeCore

/// One page of a listing paged in storage.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    /// Empty on the last page.
    public var nextPageToken: String
    /// How many items match the listing's filter in all.
    public var totalSize: Int

    public init(items: [Item], nextPageToken: String, totalSize: Int) {
        self.items = items
        self.nextPageToken = nextPageToken
        self.totalSize = totalSize
    }

    /// The page of `found`, read with a limit of `size + 1`: its first `size` items, and a token
    /// naming the last of them when there was more.
    init(found: [Item], size: Int, totalSize: Int, token: (Item) -> String) {
        let items = Array(found.prefix(size))
        let next = found.count > size ? items.last.map(token) : nil
        self.init(items: items, nextPageToken: next ?? "", totalSize: totalSize)
    }
}

/// What a List request asks for: a page size (0: the default of 50, at most 500) and the token
/// of the previous page (empty for the first).
public struct PageRequest: Sendable, Hashable {
    public var size: Int
    public var token: String

    public init(size: Int = 0, token: String = "") {
        self.size = size
        self.token = token
    }

    /// The size asked for, or `invalidField(page.page_size)`.
    public func resolvedSize() throws(DomainError) -> Int {
        let size = self.size == 0 ? 50 : self.size
        guard (1...500).contains(size) else {
            throw .invalidField(field: "page.page_size", reason: "RANGE", message: "page_size must be 0…500")
        }
        return size
    }
}
