/// Storage reached through units of work, so that what one use case changes — a row, its
/// change-log entry, its audit record — commits together or not at all.
///
/// Every `unitOfWork` is durable when it returns: an implementation may make concurrent units
/// share one commit (group commit), acknowledging each only once that commit is on disk; a unit
/// that throws is rolled back alone and never takes another unit's changes with it. Bodies are
/// synchronous: they run inside the storage's transaction and must not block on anything else.
public protocol TransactionalStore: Sendable {
    /// Runs `body` as one unit that may read and write.
    func unitOfWork<T: Sendable>(_ body: @escaping @Sendable (any UnitOfWork) throws -> T) async throws -> T
    /// Runs `body` on one consistent read-only snapshot, beside the writer (a write in it throws).
    /// For reads that record nothing: the session check every call makes, a login's lookup.
    func snapshot<T: Sendable>(_ body: @escaping @Sendable (any UnitOfWork) throws -> T) async throws -> T
}

/// Everything one unit of work may read and write. Reads see the unit's own writes.
/// Implementations throw `DomainError` for the cases each method names, anything else for
/// failures of the backend itself.
public protocol UnitOfWork:
    DirectoryUnitOfWork, StaffUnitOfWork, SessionUnitOfWork, AuditUnitOfWork, RecipientUnitOfWork, RegistryUnitOfWork,
    VerificationJobUnitOfWork, OperationsUnitOfWork, ReadinessUnitOfWork, MigrationUnitOfWork
{}
