extension String {
    /// The longest prefix of at most `limit` UTF-8 bytes that ends on a Unicode scalar boundary.
    /// For text a caller chose that ends up in the audit log or a message: one character can be
    /// megabytes of combining marks, so a character count bounds nothing.
    public func prefix(utf8Bytes limit: Int) -> String {
        guard utf8.count > limit else { return self }
        var result = String.UnicodeScalarView()
        var used = 0
        for scalar in unicodeScalars {
            let size = UTF8.width(scalar)
            guard used + size <= limit else { break }
            used += size
            result.append(scalar)
        }
        return String(result)
    }
}
