import LifeCore

extension DaemonConfig {
    /// The key in `audit.anchor_key`, or nil when that is `none`. A missing, unreadable or short
    /// key file is a configuration error naming the key and how to make one.
    public func auditAnchorKey() throws -> AuditAnchorKey? {
        guard let path = auditAnchorKeyPath else { return nil }
        do {
            return try AuditAnchorKey(contentsOf: path)
        } catch let DomainError.invalidField(_, _, message) {
            throw ConfigError(key: "audit.anchor_key", origin: path, reason: message)
        }
    }
}
