import GRDB
import LifeCore

/// `UnitOfWork` on one GRDB connection: inside one savepoint of a group-commit transaction on the
/// writer, or inside a read-only snapshot on a reader. The tables are handled in the extensions
/// `+Directory`, `+Staff`, `+Sessions`, `+Audit` and `+Recipients`.
struct SQLiteUnitOfWork: UnitOfWork {
    let db: Database
    /// The database file, for error messages.
    let path: String
}
