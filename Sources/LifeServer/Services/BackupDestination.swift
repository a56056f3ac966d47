import Foundation
import LifeCore

/// Where `Admin.BackupDatabase` writes: only inside one folder, `backup.directory` (by default
/// `<data_dir>/backups`, /var/lib/lifed/backups under systemd). The daemon writes the file, so the
/// path must make sense in the daemon's view of the file system, not the operator's: under the
/// hardened unit /tmp and /var/tmp are private to the daemon and everything outside its state
/// folder is read-only. Keeping backups in one known folder means the file lands where the
/// operator will find it, and the reply names it.
public struct BackupDestination: Sendable {
    /// The backup folder as configured.
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// The absolute path of the file to create for a request's `path`: a plain file name goes in
    /// the folder, an absolute path must lie inside it (symbolic links resolved), empty picks a
    /// name from `now`. Refuses, with a reason an operator can act on, a path outside the folder,
    /// a missing or unwritable folder, and an existing file (a dangling link counts as existing).
    public func resolve(_ requested: String, now: Date) throws -> String {
        guard !requested.contains("\0") else {
            throw DomainError.invalidField(field: "path", reason: "FORMAT", message: "the backup path contains a NUL character")
        }
        guard !requested.hasSuffix("/") else {
            throw DomainError.invalidField(field: "path", reason: "FORMAT", message: "the backup path must name a file, not a folder")
        }
        guard let folder = Self.realPath(directory) else {
            throw DomainError.failedPrecondition(
                "the backup folder \(directory) (backup.directory) does not exist; create it, owned by the daemon's user")
        }
        let parent: String
        let name: String
        if requested.isEmpty {
            (parent, name) = (folder, Self.defaultName(now))
        } else if !requested.hasPrefix("/") {
            guard !requested.contains("/") else {
                throw outside(requested)
            }
            (parent, name) = (folder, requested)
        } else {
            let url = URL(fileURLWithPath: requested)
            let requestedParent = url.deletingLastPathComponent().path
            guard let resolved = Self.realPath(requestedParent) else {
                throw DomainError.invalidField(
                    field: "path", reason: "FOLDER_MISSING", message: "the folder \(requestedParent) of the backup path does not exist")
            }
            guard resolved == folder || resolved.hasPrefix(folder + "/") else { throw outside(requested) }
            (parent, name) = (resolved, url.lastPathComponent)
        }
        guard !name.isEmpty, name != ".", name != ".." else {
            throw DomainError.invalidField(field: "path", reason: "FORMAT", message: "the backup path must name a file")
        }
        let target = parent == "/" ? "/" + name : parent + "/" + name
        var status = stat()
        if lstat(target, &status) == 0 { throw DomainError.alreadyExists("backup file \(target)") }
        guard access(parent, W_OK) == 0 else {
            let reason = String(cString: strerror(errno))
            throw DomainError.failedPrecondition(
                "lifed cannot write to \(parent) (\(reason)); under systemd, a backup.directory outside /var/lib/lifed needs ReadWritePaths= in a drop-in"
            )
        }
        return target
    }

    private func outside(_ requested: String) -> DomainError {
        .invalidField(
            field: "path",
            reason: "OUTSIDE_BACKUP_DIRECTORY",
            message: "backups are written inside \(directory) (backup.directory): give a file name, or an absolute path inside that folder"
        )
    }

    /// `lifed-20261130T051500Z.sqlite`: sorts by time, no characters that need quoting.
    static func defaultName(_ now: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withYear, .withMonth, .withDay, .withTime, .withTimeZone]
        return "lifed-\(formatter.string(from: now)).sqlite"
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
