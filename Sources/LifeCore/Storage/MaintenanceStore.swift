/// Operations on the database as a whole.
public protocol MaintenanceStore: Sendable {
    /// Writes a consistent copy to `path` while the store keeps serving; `progress` gets the
    /// fraction done (0…1) now and then.
    func backup(to path: String, progress: @Sendable (Double) -> Void) async throws
    /// Problems found by the backend's integrity check; empty when the database is sound.
    func integrityCheck() async throws -> [String]
    /// Walks the whole audit chain (`AuditChain.verify`) on one snapshot and, when the head is
    /// anchored, checks the last record against the sealed head (so truncation is noticed).
    func verifyAuditChain() async throws -> AuditChain.Verification
    /// Whether the audit chain's head is sealed with a key kept outside the database.
    var auditHeadAnchored: Bool { get }
}
