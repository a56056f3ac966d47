import LifeCore

extension AuditStore {
    /// The newest `limit` records, oldest first.
    func recentAudit(limit: Int) async throws -> [AuditRecord] {
        Array(try await auditRecords(matching: AuditFilter(), before: nil, limit: limit).reversed())
    }
}
