import Foundation

/// Login sessions, stored by token hash.
public protocol SessionStore: Sendable {
    func createSession(_ session: Session) async throws
    func session(tokenHash: String) async throws -> Session?
    /// The session with its staff member and their facility, read in one snapshot (the check
    /// every authenticated call makes: one read, not three).
    func sessionWithOwner(tokenHash: String) async throws -> (session: Session, staff: StaffMember, facility: Facility)?
    func touchSession(tokenHash: String, at time: Date) async throws
    func revokeSession(tokenHash: String, at time: Date) async throws
    /// Deletes sessions that can no longer be used: revoked or past their absolute expiry before
    /// `time`, or unused since `idleBefore`. Returns how many.
    func deleteEndedSessions(endedBefore time: Date, idleBefore: Date) async throws -> Int
    /// Revokes every session of a staff member except `keeping`; returns how many.
    func revokeSessions(staffID: Int64, keeping tokenHash: String?, at time: Date) async throws -> Int
}
