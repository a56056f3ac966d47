import Foundation
import GRDB
import LifeCore

@testable import LifeStore

/// A store on a fresh database file in its own temporary folder. Call `remove()` when done.
///
/// Behaviour suites use `store`, typed `any LifeStorage`, so a second backend (PostgreSQL) runs
/// the same suites by making its store here; suites about SQLite itself (opening, migrations,
/// backup, tampering, schema constraints) use `sqlite`.
struct StoreFixture {
    /// The folder holding the database and anything a test writes beside it.
    let directory: String
    let sqlite: SQLiteStore
    /// The key that seals the store's audit head.
    let anchorKey: AuditAnchorKey
    var store: any LifeStorage { sqlite }

    init() throws {
        var template = Array("/tmp/lifestore-test-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        directory = String(cString: created)
        // Sealed as deployed: a key outside the database.
        var generator = SystemRandomNumberGenerator()
        anchorKey = try AuditAnchorKey(bytes: (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        sqlite = try SQLiteStore(path: directory + "/life.sqlite", auditAnchorKey: anchorKey)
    }

    /// A path in the fixture's folder.
    func file(_ name: String) -> String { directory + "/" + name }

    /// A second, independent connection to the same file, as another program would open it.
    func rawConnection(foreignKeys: Bool = true) throws -> DatabaseQueue {
        try Self.rawConnection(path: sqlite.path, foreignKeys: foreignKeys)
    }

    /// A plain GRDB connection to any database file.
    static func rawConnection(path: String, foreignKeys: Bool = true) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = foreignKeys
        configuration.busyMode = .timeout(5)
        return try DatabaseQueue(path: path, configuration: configuration)
    }

    func remove() {
        try? sqlite.close()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
