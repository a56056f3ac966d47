import Foundation
import GRDB
import LifeCore
import Metrics

/// `LifeStorage` on one SQLite file through GRDB.
///
/// Open it once per process: it owns the process's only `DatabasePool` on the file (one writer
/// connection, a few WAL readers). Every write is one IMMEDIATE transaction that keeps one
/// invariant; reads see a consistent snapshot. The store logs nothing.
///
/// Durability: `synchronous = FULL` on the writer, so a method that returned has its transaction
/// in the WAL *and* fsynced. See `init(path:)`.
public final class SQLiteStore: Sendable {
    /// The database file.
    public let path: String

    /// The process's pool on `path`.
    let pool: DatabasePool
    /// Units of work through the pool's writer, many per commit.
    let groupCommit: GroupCommitWriter
    /// Checkpoints the WAL beside the writer.
    private let checkpointer: WALCheckpointer
    /// Reads wait here, not on a thread inside GRDB.
    private let readGate: ReadGate
    /// Seals the audit chain's head; nil: not anchored.
    let anchorKey: AuditAnchorKey?

    /// Opens (creating if needed) the database at `path`, switches it to WAL, sets the writer's
    /// durability and runs the migrations this build knows.
    ///
    /// `auditAnchorKey` seals the audit chain's head with every appended record; a database
    /// whose records were never sealed is sealed at its current head when it opens.
    ///
    /// `metrics`: where the group commit's queue depth and commit latency are recorded.
    ///
    /// Throws `StoreError` with code `cannotOpen`, `newerSchema` or `migrationFailed`; its
    /// description names the file and the reason.
    public init(path: String, auditAnchorKey: AuditAnchorKey? = nil, metrics: any MetricsFactory = NOOPMetricsHandler.instance) throws {
        self.path = path
        self.anchorKey = auditAnchorKey
        var configuration = Configuration()
        configuration.label = "LifeStore"
        // Enforced per connection by SQLite; GRDB's default, stated because the schema relies on it.
        configuration.foreignKeysEnabled = true
        // Another process (an operator's sqlite3, a backup tool) may hold a lock for a moment:
        // wait for it rather than failing the call.
        configuration.busyMode = .timeout(5)
        configuration.journalMode = .wal
        // GRDB's default is .userInitiated. On Linux, libdispatch imitates QoS by renicing the
        // worker thread, and raising a thread's priority needs CAP_SYS_NICE, which lifed under its
        // unit does not have: every new database thread logged "Failed to set thread priority".
        configuration.qos = .default

        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            // Must run after the pool exists: GRDB's WAL setup sets `synchronous = NORMAL` on the
            // writer *after* `prepareDatabase` runs, so setting it there would be overridden.
            //
            // Why FULL: in WAL mode NORMAL syncs only at checkpoints, which already survives
            // `kill -9` of the daemon (the committed WAL frames are in the kernel's page cache),
            // but a power cut or kernel crash may lose the last commits. An acknowledged login,
            // audit entry or care record must not disappear, so every commit fsyncs the WAL.
            // Cost (2-core VM, ext4, debug build): appendAudit ≈ 1.4–1.7 k/s from one caller and
            // ≈ 2.7 k/s from 16 concurrent callers (NORMAL: ≈ 2.6–3.4 k/s / 3.9 k/s): well above the
            // write load of the service, where every write follows a network round trip.
            //
            // The writer's page cache is 32 MiB rather than SQLite's 2 MiB: a bulk re-check or an
            // import rewrites pages spread over the recipient table and its indexes, and with the
            // small cache most of its time went to reading pages back from the kernel.
            //
            // Temporary storage in memory: each unit of a group commit runs in a savepoint, and
            // SQLite copies every page a savepoint changes into a sub-journal, a temp file on disk
            // by default (a bulk re-check wrote as much there as to the WAL).
            try pool.writeWithoutTransaction { db in
                try db.execute(cached: "PRAGMA synchronous = FULL")
                try db.execute(cached: "PRAGMA cache_size = -32768")
                try db.execute(cached: "PRAGMA temp_store = MEMORY")
                // Checkpoints are WALCheckpointer's, on a connection of its own.
                try db.execute(cached: "PRAGMA wal_autocheckpoint = 0")
            }
            checkpointer = try WALCheckpointer(path: path, configuration: configuration)
        } catch {
            throw StoreError(code: .cannotOpen, path: path, message: "cannot open database \(path): \(Self.reason(error))", cause: error)
        }

        let seal = auditAnchorKey.map(AuditSeal.init)
        groupCommit = GroupCommitWriter(
            pool: pool, metrics: metrics, beforeCommit: { db in try seal?.sealNewest(db) },
            afterCommit: { [checkpointer] in checkpointer.committed() })
        readGate = ReadGate(limit: configuration.maximumReaderCount)
        let migrator = StoreSchema.migrator
        let superseded: Bool
        do {
            superseded = try pool.read { db in try migrator.hasBeenSuperseded(db) }
        } catch {
            throw StoreError(code: .cannotOpen, path: path, message: "cannot read database \(path): \(Self.reason(error))", cause: error)
        }
        guard !superseded else {
            let unknown =
                (try? pool.read { db in try migrator.appliedIdentifiers(db) })
                .map { $0.subtracting(migrator.migrations).sorted().joined(separator: ", ") } ?? "?"
            throw StoreError(
                code: .newerSchema,
                path: path,
                message: "database \(path) was migrated by a newer lifed (unknown migrations: \(unknown)); refusing to open it"
            )
        }
        do {
            try migrator.migrate(pool)
        } catch {
            throw StoreError(
                code: .migrationFailed, path: path, message: "cannot migrate database \(path): \(Self.reason(error))", cause: error)
        }
        do {
            try pool.write { db in try seal?.sealIfNeverSealed(db) }
        } catch {
            throw StoreError(
                code: .cannotOpen, path: path, message: "cannot seal the audit head in \(path): \(Self.reason(error))", cause: error)
        }
    }

    /// A read on a pool reader, admitted by the read gate.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await readGate.run { try await pool.read(body) }
    }

    /// Closes every connection (the last to close, the checkpointer's, checkpoints the WAL and
    /// removes it when no other process has the file open). Later calls throw. Closing is optional: the pool also closes when the store goes.
    public func close() throws {
        try pool.close()
        try checkpointer.close()
    }

    /// The SQLite reason of an error, without SQL or arguments.
    static func reason(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return "\(error.message ?? "unknown error") (SQLite \(error.extendedResultCode.rawValue))"
        }
        return String(describing: error)
    }
}

/// The protocols themselves are implemented in `SQLiteStore+Directory`, `+Staff`, `+Sessions`,
/// `+Audit` and `+Maintenance`.
extension SQLiteStore: LifeStorage {}
