extension TransactionalStore {
    /// Appends `event` to the audit log in a unit of its own (a call whose work wrote nothing
    /// else, or that failed before its own unit).
    public func audit(_ event: AuditEvent) async throws {
        _ = try await unitOfWork { try $0.appendAudit(event) }
    }
}
