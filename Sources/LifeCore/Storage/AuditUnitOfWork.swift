/// The append-only, hash-chained audit log.
public protocol AuditUnitOfWork {
    /// Appends with the next sequence number and the chain hash (`AuditChain.hash`); returns the
    /// stored record (its time as stored).
    @discardableResult
    func appendAudit(_ event: AuditEvent) throws -> AuditRecord
    /// Up to `limit` records matching `filter`, newest first, older than sequence `before` when
    /// given: filtered and paged in storage, so every page is full but the last.
    func auditRecords(matching filter: AuditFilter, before: Int64?, limit: Int) throws -> [AuditRecord]
}
