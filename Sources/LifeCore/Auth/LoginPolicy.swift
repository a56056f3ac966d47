/// Lockout and session lifetimes.
public struct LoginPolicy: Sendable, Hashable {
    /// Failed passwords in a row that lock an account (the national claims system: 3).
    public var lockAfterFailures = 3
    /// How long a lock lasts (the national claims system: 30 minutes).
    public var lockDuration: Duration = .seconds(30 * 60)
    /// A session unused this long ends.
    public var sessionIdleTimeout: Duration = .seconds(30 * 60)
    /// A session ends this long after login, however active.
    public var sessionLifetime: Duration = .seconds(12 * 3600)
    /// Failures from one certificate within `certificateWindow` beyond which each further attempt
    /// from it waits (slowed, not locked, so an attacker cannot lock a whole facility out).
    public var certificateFailureBurst = 10
    public var certificateWindow: Duration = .seconds(60)

    public init() {}
}
