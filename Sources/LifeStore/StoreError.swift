/// A failure of the SQLite store itself (as opposed to a `DomainError`, which the store throws for
/// the cases the storage protocols name). `description` names the file and the reason and is safe
/// for logs and operators: it never carries statement arguments, so never a hash or a token.
public struct StoreError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What kind of failure, extensible without breaking callers that switch on known codes.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Hashable, Sendable {
            case cannotOpen = "CANNOT_OPEN"
            case migrationFailed = "MIGRATION_FAILED"
            case newerSchema = "NEWER_SCHEMA"
            case backupTargetExists = "BACKUP_TARGET_EXISTS"
            case backupFailed = "BACKUP_FAILED"
            case corruptData = "CORRUPT_DATA"
        }

        private let value: Value

        private init(_ value: Value) { self.value = value }

        /// The database file could not be opened or set up (WAL, pragmas).
        public static let cannotOpen = Code(.cannotOpen)
        /// A schema migration failed; the database is left at the last completed migration.
        public static let migrationFailed = Code(.migrationFailed)
        /// The database holds migrations this build does not know: written by a newer lifed.
        public static let newerSchema = Code(.newerSchema)
        /// A backup was asked for a path that already exists.
        public static let backupTargetExists = Code(.backupTargetExists)
        /// The backup could not be written or the copy failed its check.
        public static let backupFailed = Code(.backupFailed)
        /// A stored row holds a value the domain cannot accept (the file was edited by hand).
        public static let corruptData = Code(.corruptData)

        public var description: String { value.rawValue }
    }

    /// What kind of failure.
    public var code: Code
    /// The database (or backup) file concerned.
    public var path: String
    /// What happened, for people; names `path`.
    public var message: String
    /// The underlying error, typically a GRDB `DatabaseError`.
    public var cause: (any Error)?

    /// Creates an error about the file at `path`.
    public init(code: Code, path: String, message: String, cause: (any Error)? = nil) {
        self.code = code
        self.path = path
        self.message = message
        self.cause = cause
    }

    public var description: String { message }

    public var debugDescription: String {
        guard let cause else { return "\(code): \(message)" }
        return "\(code): \(message) (cause: \(String(reflecting: cause)))"
    }
}
