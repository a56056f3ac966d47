import GRDB
import LifeCore

extension SQLiteStore: RecipientStore {
    /// Runs `body` through group commit: durable when it returns, possibly sharing its commit
    /// with concurrent units.
    public func unitOfWork<T: Sendable>(_ body: @escaping @Sendable (any RecipientUnitOfWork) throws -> T) async throws -> T {
        let path = self.path
        return try await groupCommit.perform { db in try body(SQLiteRecipientUnit(db: db, path: path)) }
    }
}
