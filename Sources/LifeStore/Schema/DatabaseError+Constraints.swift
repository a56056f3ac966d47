import GRDB
import LifeCore

extension DatabaseError {
    /// A UNIQUE or PRIMARY KEY constraint refused the statement.
    var isUniqueViolation: Bool {
        extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE || extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY
    }

    /// A foreign key constraint refused the statement (a parent row is missing).
    var isForeignKeyViolation: Bool {
        extendedResultCode == .SQLITE_CONSTRAINT_FOREIGNKEY
    }
}

/// Runs `body` and turns the constraint errors the caller names into domain errors: the schema
/// decides, in the same transaction, so there is no racy "check, then insert".
func mappingConstraints<T>(
    unique: @autoclosure () -> DomainError? = nil,
    foreignKey: @autoclosure () -> DomainError? = nil,
    _ body: () throws -> T
) throws -> T {
    do {
        return try body()
    } catch let error as DatabaseError {
        if error.isUniqueViolation, let domain = unique() { throw domain }
        if error.isForeignKeyViolation, let domain = foreignKey() { throw domain }
        throw error
    }
}
