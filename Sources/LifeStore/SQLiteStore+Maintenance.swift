import Foundation
import GRDB
import LifeCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension SQLiteStore: MaintenanceStore {
    /// Copies the database to a new file at `path` with SQLite's online backup API while the store
    /// keeps serving (writes continue; the copy is the snapshot taken when the backup starts), then
    /// reopens the copy and runs `PRAGMA integrity_check` on it.
    ///
    /// Throws `StoreError` `backupTargetExists` when `path` (or a journal beside it) exists, and
    /// `backupFailed` otherwise; a failed backup leaves no file behind.
    public func backup(to path: String, progress: @Sendable (Double) -> Void) async throws {
        try await backup(to: path, pagesPerStep: 256, progress: progress)
    }

    /// `backup(to:progress:)` with the number of pages copied per step (1 MiB with 4 KiB pages by
    /// default): each step reports progress; the source snapshot stays pinned between steps.
    func backup(to target: String, pagesPerStep: CInt, progress: @Sendable (Double) -> Void) async throws {
        try Self.claimBackupTarget(target)
        var finished = false
        defer {
            if !finished {
                for suffix in ["", "-journal", "-wal", "-shm"] { unlink(target + suffix) }
            }
        }
        do {
            let destination = try DatabaseQueue(path: target)
            let (fractions, continuation) = AsyncStream.makeStream(of: Double.self, bufferingPolicy: .unbounded)
            async let copied: Void = Self.copy(from: pool, to: destination, pagesPerStep: pagesPerStep, reporting: continuation)
            for await fraction in fractions { progress(fraction) }
            try await copied
            try destination.close()
            let problems = try await Self.check(copyAt: target)
            guard problems.isEmpty else {
                throw StoreError(
                    code: .backupFailed,
                    path: target,
                    message: "backup \(target) failed its integrity check: \(problems.prefix(3).joined(separator: "; "))"
                )
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(code: .backupFailed, path: target, message: "cannot back up to \(target): \(Self.reason(error))", cause: error)
        }
        finished = true
    }

    /// `PRAGMA integrity_check` lines other than "ok", then one line per `PRAGMA foreign_key_check`
    /// row (a child row whose parent is missing: only possible when a connection wrote with
    /// foreign keys off).
    public func integrityCheck() async throws -> [String] {
        try await read { db in try Self.problems(db) }
    }

    /// Creates `target` exclusively, so two backups, or a backup and another program, never
    /// write the same file. A journal or WAL beside it would be replayed into the copy: refused too.
    private static func claimBackupTarget(_ target: String) throws {
        for suffix in ["-journal", "-wal"] where FileManager.default.fileExists(atPath: target + suffix) {
            throw StoreError(code: .backupTargetExists, path: target, message: "backup target \(target)\(suffix) already exists")
        }
        let descriptor = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            let code = errno
            if code == EEXIST {
                throw StoreError(code: .backupTargetExists, path: target, message: "backup target \(target) already exists")
            }
            throw StoreError(
                code: .backupFailed, path: target, message: "cannot create backup \(target): \(String(cString: strerror(code)))")
        }
        closeDescriptor(descriptor)
    }

    /// Runs the page copy on a pool reader inside one read transaction. The explicit SELECT starts
    /// the snapshot before the first step (a DEFERRED transaction takes it only at its first read),
    /// so every step copies pages of the same snapshot and the copy is consistent however long
    /// the writer keeps committing meanwhile.
    private static func copy(
        from pool: DatabasePool,
        to destination: DatabaseQueue,
        pagesPerStep: CInt,
        reporting continuation: AsyncStream<Double>.Continuation
    ) async throws {
        defer { continuation.finish() }
        try await pool.read { source in
            _ = try Int.fetchOne(source, sql: "SELECT count(*) FROM sqlite_master")
            try destination.writeWithoutTransaction { copy in
                try source.backup(to: copy, pagesPerStep: pagesPerStep) { step in
                    let total = max(step.totalPageCount, 1)
                    continuation.yield(step.isCompleted ? 1 : Double(step.completedPageCount) / Double(total))
                }
            }
        }
    }

    /// Opens the finished copy on its own and checks it.
    private static func check(copyAt target: String) async throws -> [String] {
        let copy = try DatabaseQueue(path: target)
        defer { try? copy.close() }
        return try await copy.read { db in try problems(db) }
    }

    /// The problems `integrityCheck()` reports, on any connection.
    private static func problems(_ db: Database) throws -> [String] {
        var problems = try String.fetchAll(db, sql: "PRAGMA integrity_check").filter { $0 != "ok" }
        let violations = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check")
        for row in violations {
            let table: String = try row.decode(atIndex: 0)
            let rowID: Int64? = try row.decode(atIndex: 1)
            let parent: String = try row.decode(atIndex: 2)
            problems.append("foreign key violation: \(table) row \(rowID.map(String.init) ?? "?") refers to a missing \(parent) row")
        }
        return problems
    }
}

/// `close(2)`, out of reach of `SQLiteStore.close()` inside the class's extensions.
private func closeDescriptor(_ descriptor: Int32) {
    _ = close(descriptor)
}
