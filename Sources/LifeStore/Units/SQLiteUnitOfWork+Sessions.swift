import Foundation
import GRDB
import LifeCore

extension SQLiteUnitOfWork: SessionUnitOfWork {
    func createSession(_ session: Session) throws {
        try mappingConstraints(
            unique: .alreadyExists("session"),
            foreignKey: .notFound("staff member \(session.staffID) of facility \(session.facility)")
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

    func session(tokenHash: String) throws -> Session? {
        try Row.fetchOne(cached: db, sql: "SELECT \(Session.selection) FROM session WHERE token_hash = ?", arguments: [tokenHash])
            .map { try Session(row: $0, path: path) }
    }

    func sessionWithOwner(tokenHash: String) throws -> (session: Session, staff: StaffMember, facility: Facility)? {
        guard let session = try session(tokenHash: tokenHash), let staff = try staffMember(id: session.staffID),
            let facility = try facility(staff.facility)
        else { return nil }
        return (session, staff, facility)
    }

    func touchSession(tokenHash: String, at time: Date) throws {
        try db.execute(
            cached: "UPDATE session SET last_seen_at = max(last_seen_at, ?) WHERE token_hash = ?",
            arguments: [StoredTime.microseconds(time), tokenHash]
        )
        guard db.changesCount == 1 else { throw DomainError.notFound("session") }
    }

    func revokeSession(tokenHash: String, at time: Date) throws {
        try db.execute(
            cached: "UPDATE session SET revoked_at = coalesce(revoked_at, ?) WHERE token_hash = ?",
            arguments: [StoredTime.microseconds(time), tokenHash]
        )
        guard db.changesCount == 1 else { throw DomainError.notFound("session") }
    }

    func deleteEndedSessions(endedBefore time: Date, idleBefore: Date) throws -> Int {
        try db.execute(
            cached: "DELETE FROM session WHERE revoked_at < ? OR expires_at < ? OR last_seen_at < ?",
            arguments: [StoredTime.microseconds(time), StoredTime.microseconds(time), StoredTime.microseconds(idleBefore)]
        )
        return db.changesCount
    }

    /// Counts the sessions this call revoked (those not revoked before), whether or not they had
    /// already expired.
    func revokeSessions(staffID: Int64, keeping tokenHash: String?, at time: Date) throws -> Int {
        try db.execute(
            cached: "UPDATE session SET revoked_at = ? WHERE staff_id = ? AND revoked_at IS NULL AND token_hash IS NOT ?",
            arguments: [StoredTime.microseconds(time), staffID, tokenHash]
        )
        return db.changesCount
    }

    func revokeSessions(certificateFingerprint: String, at time: Date) throws -> Int {
        try db.execute(
            cached: "UPDATE session SET revoked_at = ? WHERE certificate_fingerprint = ? AND revoked_at IS NULL",
            arguments: [StoredTime.microseconds(time), certificateFingerprint]
        )
        return db.changesCount
    }
}
