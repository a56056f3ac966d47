import GRDB
import LifeCore

extension SQLiteStore: TransactionalStore {
    /// Runs `body` through group commit: durable when it returns, possibly sharing its commit
    /// with concurrent units.
    public func unitOfWork<T: Sendable>(_ body: @escaping @Sendable (any UnitOfWork) throws -> T) async throws -> T {
        let path = self.path
        do {
            return try await groupCommit.perform { db in try body(SQLiteUnitOfWork(db: db, path: path)) }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_FULL {
            throw DomainError.storageFull
        }
    }

    /// Runs `body` on a pool reader (a read-only connection: writes throw).
    public func snapshot<T: Sendable>(_ body: @escaping @Sendable (any UnitOfWork) throws -> T) async throws -> T {
        let path = self.path
        return try await read { db in try body(SQLiteUnitOfWork(db: db, path: path)) }
    }
}
