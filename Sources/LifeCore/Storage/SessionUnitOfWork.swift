import Foundation

/// Login sessions, stored by token hash.
public protocol SessionUnitOfWork {
    /// Throws `alreadyExists` for a token hash already stored, `notFound` when the staff member
    /// does not exist in the session's facility.
    func createSession(_ session: Session) throws
    /// The stored session, revoked or expired ones included (the caller judges validity).
    func session(tokenHash: String) throws -> Session?
    /// The session with its staff member and their facility (the check every authenticated call
    /// makes: one read, not three).
    func sessionWithOwner(tokenHash: String) throws -> (session: Session, staff: StaffMember, facility: Facility)?
    /// Moves `lastSeenAt` forward (never back). Throws `notFound`.
    func touchSession(tokenHash: String, at time: Date) throws
    /// Revokes the session; revoking it again keeps the first time. Throws `notFound`.
    func revokeSession(tokenHash: String, at time: Date) throws
    /// Deletes sessions that can no longer be used: revoked or past their absolute expiry before
    /// `time`, or unused since `idleBefore`. Returns how many.
    func deleteEndedSessions(endedBefore time: Date, idleBefore: Date) throws -> Int
    /// Revokes every session of a staff member except `keeping`; returns how many this revoked.
    func revokeSessions(staffID: Int64, keeping tokenHash: String?, at time: Date) throws -> Int
    /// Revokes every session issued under a certificate; returns how many this revoked.
    func revokeSessions(certificateFingerprint: String, at time: Date) throws -> Int
}
