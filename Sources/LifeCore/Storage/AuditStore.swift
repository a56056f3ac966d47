/// The append-only, hash-chained audit log.
public protocol AuditStore: Sendable {
    /// Appends in one transaction with the next sequence number and the chain hash
    /// (`AuditChain.hash`); returns the stored record.
    @discardableResult
    func appendAudit(_ event: AuditEvent) async throws -> AuditRecord
    /// Up to `limit` records matching `filter`, newest first, older than sequence `before` when
    /// given: filtered and paged in storage, so every page is full but the last.
    func auditRecords(matching filter: AuditFilter, before: Int64?, limit: Int) async throws -> [AuditRecord]
    /// Walks the whole chain (`AuditChain.verify`).
    func verifyAuditChain() async throws -> AuditChain.Verification
}
