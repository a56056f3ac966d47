import Foundation

/// Login sessions, stored by token hash.
public protocol SessionStore: Sendable {
    func createSession(_ session: Session) async throws
    func session(tokenHash: String) async throws -> Session?
    func touchSession(tokenHash: String, at time: Date) async throws
    func revokeSession(tokenHash: String, at time: Date) async throws
    /// Revokes every session of a staff member except `keeping`; returns how many.
    func revokeSessions(staffID: Int64, keeping tokenHash: String?, at time: Date) async throws -> Int
}
