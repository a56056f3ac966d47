import GRDB
import LifeCore

/// The audit chain's sealed head (`audit_anchor`): the newest record's number and hash with an
/// HMAC under a key kept outside the database (`AuditAnchorKey`).
struct AuditSeal {
    /// A record of the chain, as the seal names it.
    struct Head: Equatable {
        var sequence: Int64
        var hash: String
    }

    let key: AuditAnchorKey

    /// Seals the newest record. Runs once per group commit, after its units and before the
    /// commit (`GroupCommitWriter`'s `beforeCommit`): one write per commit, not one per record,
    /// and a unit rolled back never leaves a seal behind.
    ///
    /// A seal moves on only from a record still in the chain: after the newest records were
    /// deleted behind lifed's back, the records appended next must not seal over the gap, so the
    /// seal stays where it was and `verify` keeps reporting it.
    func sealNewest(_ db: Database) throws {
        guard let newest = try Self.newest(db) else { return }
        if let current = try Self.sealed(db) {
            guard current.head != newest, try Self.holds(current.head, db) else { return }
        }
        try db.execute(
            cached: """
                INSERT INTO audit_anchor (id, sequence, hash, seal) VALUES (1, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET sequence = excluded.sequence, hash = excluded.hash, seal = excluded.seal
                """,
            arguments: [newest.sequence, newest.hash, key.seal(sequence: newest.sequence, hash: newest.hash)])
    }

    /// At open: a chain that has records but was never sealed (a key configured for the first
    /// time) is sealed at its head, and anchored from there on.
    func sealIfNeverSealed(_ db: Database) throws {
        guard try Self.sealed(db) == nil else { return }
        try sealNewest(db)
    }

    /// Whether `head` is a record of the chain as it stands.
    private static func holds(_ head: Head, _ db: Database) throws -> Bool {
        try String.fetchOne(cached: db, sql: "SELECT hash FROM audit_event WHERE sequence = ?", arguments: [head.sequence]) == head.hash
    }

    /// The newest record of the chain.
    static func newest(_ db: Database) throws -> Head? {
        try Row.fetchOne(cached: db, sql: "SELECT sequence, hash FROM audit_event ORDER BY sequence DESC LIMIT 1").map {
            Head(sequence: try $0.decode(Int64.self, forColumn: "sequence"), hash: try $0.decode(String.self, forColumn: "hash"))
        }
    }

    /// The sealed head and its seal.
    static func sealed(_ db: Database) throws -> (head: Head, seal: String)? {
        try Row.fetchOne(cached: db, sql: "SELECT sequence, hash, seal FROM audit_anchor WHERE id = 1").map {
            (
                Head(sequence: try $0.decode(Int64.self, forColumn: "sequence"), hash: try $0.decode(String.self, forColumn: "hash")),
                try $0.decode(String.self, forColumn: "seal")
            )
        }
    }
}
