import Foundation
import LifeCore
import LifeWire

/// Turns a call's `authorization: Bearer <token>` into the staff member behind it. The token
/// counts only on a connection presenting the certificate it was issued under, within the idle
/// and absolute expiry, for an enabled account of an enabled facility. Every failure is the same
/// UNAUTHENTICATED.
struct SessionAuthenticator: Sendable {
    let storage: any LifeStorage
    let policy: LoginPolicy
    let clock: any WallClock

    /// `allowingPasswordChange`: the call is one a staff member who must change the password may
    /// still make (ChangePassword, WhoAmI, Logout).
    func authenticate(_ context: ServerCallContext, allowingPasswordChange: Bool = false) async throws -> AuthenticatedCaller {
        let now = clock.now()
        guard case .tls(let peer) = context.peer, let token = SessionToken.bearer(in: context.metadata),
            let (session, staff, facility) = try await storage.sessionWithOwner(tokenHash: SessionToken.hash(token)),
            session.revokedAt == nil,
            session.expiresAt > now,
            now.timeIntervalSince(session.lastSeenAt) < policy.sessionIdleTimeout.seconds,
            session.certificateFingerprint == peer.fingerprint,
            !staff.disabled,
            !facility.disabled
        else {
            throw DomainError.unauthenticated
        }
        if staff.mustChangePassword, !allowingPasswordChange {
            throw DomainError.passwordChangeRequired
        }
        // Activity is recorded now and then (a minute, or a quarter of the idle timeout if that is
        // shorter), not on every call: each record is a durable write.
        if now.timeIntervalSince(session.lastSeenAt) >= min(60, policy.sessionIdleTimeout.seconds / 4) {
            try await storage.touchSession(tokenHash: session.tokenHash, at: now)
        }
        return AuthenticatedCaller(staff: staff, session: session, facility: facility)
    }
}

extension Duration {
    var seconds: TimeInterval {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
