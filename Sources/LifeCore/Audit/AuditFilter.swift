/// Which audit records a listing selects; nil or 0 selects everything.
public struct AuditFilter: Sendable, Hashable {
    public var facility: String?
    public var loginID: String?
    public var method: String?
    /// Only records with a greater sequence number.
    public var afterSequence: Int64

    public init(facility: String? = nil, loginID: String? = nil, method: String? = nil, afterSequence: Int64 = 0) {
        self.facility = facility
        self.loginID = loginID
        self.method = method
        self.afterSequence = afterSequence
    }

    /// A stable text naming the filter, to bind page tokens to it.
    public var canonicalDescription: String {
        ["f=\(facility ?? "")", "l=\(loginID ?? "")", "m=\(method ?? "")", "a=\(afterSequence)"].joined(separator: "\u{1F}")
    }
}
