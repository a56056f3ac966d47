/// The lifed configuration file format: one `key = value` per line; `#` starts a comment; blank
/// lines are ignored; a key may appear once. Values are taken verbatim after trimming.
struct ConfigFile: Sendable {
    struct Entry: Sendable {
        var value: String
        /// Where the value came from, for error messages: "lifed.conf:12" or "--set".
        var origin: String
    }

    private(set) var entries: [String: Entry] = [:]

    init() {}

    /// Parses `text`; `name` labels errors.
    init(text: String, name: String) throws {
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let origin = "\(name):\(index + 1)"
            var line = Substring(rawLine)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let trimmed = line.trimmingWhitespace
            if trimmed.isEmpty { continue }
            try set(assignment: String(trimmed), origin: origin)
        }
    }

    /// Applies one `key=value` (from the file or a `--set` flag). A flag may repeat a file's key.
    mutating func set(assignment: String, origin: String, override: Bool = false) throws {
        guard let equals = assignment.firstIndex(of: "=") else {
            throw ConfigError(key: nil, origin: origin, reason: "expected `key = value`, got `\(assignment)`")
        }
        let key = String(assignment[..<equals].trimmingWhitespace)
        let value = String(assignment[assignment.index(after: equals)...].trimmingWhitespace)
        guard !key.isEmpty else {
            throw ConfigError(key: nil, origin: origin, reason: "missing key before `=`")
        }
        if !override, let earlier = entries[key] {
            throw ConfigError(key: key, origin: origin, reason: "set twice (first at \(earlier.origin))")
        }
        entries[key] = Entry(value: value, origin: origin)
    }
}

extension Substring {
    var trimmingWhitespace: Substring {
        var result = self
        while let first = result.first, first.isWhitespace { result.removeFirst() }
        while let last = result.last, last.isWhitespace { result.removeLast() }
        return result
    }
}
