import Foundation
import GRDB
import LifeCore

extension SQLiteStore: SessionStore {
    /// Throws `alreadyExists` for a token hash already stored, `notFound` when the staff member
    /// does not exist in the session's facility.
    public func createSession(_ session: Session) async throws {
        try await pool.write { db in
            try mappingConstraints(
                unique: .alreadyExists("session already exists"),
                foreignKey: .notFound("staff member \(session.staffID) of facility \(session.facility) not found")
            ) {
                try db.execute(
                    cached: "INSERT INTO session (\(Session.selection)) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    arguments: [
                        session.tokenHash, session.staffID, session.facility.rawValue, session.certificateFingerprint,
                        StoredTime.microseconds(session.createdAt), StoredTime.microseconds(session.lastSeenAt),
                        StoredTime.microseconds(session.expiresAt), StoredTime.microseconds(session.revokedAt),
                    ]
                )
            }
        }
    }

    /// The stored session, revoked or expired ones included (the caller judges validity).
    public func session(tokenHash: String) async throws -> Session? {
        let path = path
        return try await read { db in
            try Row.fetchOne(cached: db, sql: "SELECT \(Session.selection) FROM session WHERE token_hash = ?", arguments: [tokenHash])
                .map { try Session(row: $0, path: path) }
        }
    }

    public func sessionWithOwner(tokenHash: String) async throws -> (session: Session, staff: StaffMember, facility: Facility)? {
        let path = path
        return try await read { db in
            guard
                let session = try Row.fetchOne(
                    cached: db, sql: "SELECT \(Session.selection) FROM session WHERE token_hash = ?", arguments: [tokenHash]
                )
                .map({ try Session(row: $0, path: path) }),
                let staff = try Self.fetchStaffMember(db, id: session.staffID, path: path),
                let facility = try Row.fetchOne(
                    cached: db, sql: "SELECT \(Facility.selection) FROM facility WHERE number = ?", arguments: [staff.facility.rawValue]
                )
                .map({ try Facility(row: $0, path: path) })
            else { return nil }
            return (session, staff, facility)
        }
    }

    /// Moves `lastSeenAt` forward (never back). Throws `notFound` for an unknown token hash.
    public func touchSession(tokenHash: String, at time: Date) async throws {
        try await pool.write { db in
            try db.execute(
                cached: "UPDATE session SET last_seen_at = max(last_seen_at, ?) WHERE token_hash = ?",
                arguments: [StoredTime.microseconds(time), tokenHash]
            )
            guard db.changesCount == 1 else { throw DomainError.notFound("session not found") }
        }
    }

    /// Revokes the session; revoking it again keeps the first revocation time. Throws `notFound`
    /// for an unknown token hash.
    public func revokeSession(tokenHash: String, at time: Date) async throws {
        try await pool.write { db in
            try db.execute(
                cached: "UPDATE session SET revoked_at = coalesce(revoked_at, ?) WHERE token_hash = ?",
                arguments: [StoredTime.microseconds(time), tokenHash]
            )
            guard db.changesCount == 1 else { throw DomainError.notFound("session not found") }
        }
    }

    /// Counts the sessions this call revoked (those not revoked before), whether or not they had
    /// already expired.
    public func revokeSessions(staffID: Int64, keeping tokenHash: String?, at time: Date) async throws -> Int {
        try await pool.write { db in
            try db.execute(
                cached: "UPDATE session SET revoked_at = ? WHERE staff_id = ? AND revoked_at IS NULL AND token_hash IS NOT ?",
                arguments: [StoredTime.microseconds(time), staffID, tokenHash]
            )
            return db.changesCount
        }
    }

    /// Deletes sessions that can no longer be used: revoked or past their absolute expiry before
    /// `time`, or unused since `idleBefore`. Returns how many.
    public func deleteEndedSessions(endedBefore time: Date, idleBefore: Date) async throws -> Int {
        try await pool.write { db in
            try db.execute(
                cached: "DELETE FROM session WHERE revoked_at < ? OR expires_at < ? OR last_seen_at < ?",
                arguments: [StoredTime.microseconds(time), StoredTime.microseconds(time), StoredTime.microseconds(idleBefore)]
            )
            return db.changesCount
        }
    }
}
