/// A configuration value that cannot be used. The daemon refuses to start (or a reload keeps the
/// old configuration) and prints this, naming the key and where it was set.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public let key: String?
    public let origin: String
    public let reason: String

    public var description: String {
        if let key { return "\(origin): \(key): \(reason)" }
        return "\(origin): \(reason)"
    }
}
