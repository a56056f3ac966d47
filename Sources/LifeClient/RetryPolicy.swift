import LifeStubs
import LifeWire

/// When `LifeChannel` sends a call again on a fresh connection, and how long it waits first.
///
/// A call is sent again only when it is safe:
/// - **it never reached the server**: the connection could not be made, was refused
///   (`GOAWAY TOO_MANY_CONNECTIONS`, or reset before the server's SETTINGS), or had ended before
///   the call was written, or the server's GOAWAY names a `last_call_id` below the call's id (the
///   server promises it did not process it, PROTOCOL §12.2–12.3) — for every method;
/// - **its outcome is unknown** (the connection broke after the call was sent, without a
///   trailer) — only for the methods in `idempotentMethods`, whose repetition changes nothing;
///   by default the reads. A write (create, update, login, …) with an unknown outcome fails
///   UNAVAILABLE and is left to the caller, who can read back what happened.
///
/// A call that got a trailer is never sent again, whatever its status. Attempts stop at
/// `maxAttempts`, at the call's deadline, when the task is cancelled, or when the channel's
/// `RetryBudget` is spent.
public struct RetryPolicy: Sendable {
    /// Attempts per call, the first included; 1 never retries.
    public var maxAttempts: Int
    /// The pause before the first retry; each later one doubles it, up to `maxBackoff`. Each pause
    /// is drawn at random between half and all of that (jitter), so that callers refused at the
    /// same moment do not all come back at the same moment.
    public var initialBackoff: Duration
    public var maxBackoff: Duration
    /// Method paths (`/life.v1.Recipients/GetRecipient`) that may be sent again when their outcome
    /// is unknown.
    public var idempotentMethods: Set<String>
    /// How many retries the channel may make beyond its calls' first attempts.
    public var budget: RetryBudget.Configuration

    public init(
        maxAttempts: Int = 5,
        initialBackoff: Duration = .milliseconds(50),
        maxBackoff: Duration = .seconds(1),
        idempotentMethods: Set<String> = RetryPolicy.readMethods,
        budget: RetryBudget.Configuration = .init()
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.idempotentMethods = idempotentMethods
        self.budget = budget
    }

    /// Five attempts, 50 ms doubling to at most 1 s, reads repeated when their outcome is unknown.
    public static let `default` = RetryPolicy()

    /// Every call is sent once.
    public static let never = RetryPolicy(maxAttempts: 1)

    /// The methods that only read. Repeating one may add an audit record of the read; it changes
    /// no data.
    public static let readMethods: Set<String> = Set(
        [
            Life_V1_Health.Method.check, Life_V1_Auth.Method.whoAmI, Life_V1_Recipients.Method.getRecipient,
            Life_V1_Recipients.Method.listRecipients, Life_V1_Staff.Method.listStaffMembers, Life_V1_Staff.Method.getStaffMember,
            Life_V1_Admin.Method.listFacilities, Life_V1_Admin.Method.listCertificateRegistrations, Life_V1_Admin.Method.listAuditEvents,
            Life_V1_Admin.Method.listParticipatingInsurers, Life_V1_Admin.Method.listVerificationJobs,
            Life_V1_Admin.Method.verifyAuditChain, Life_V1_Admin.Method.checkDatabaseIntegrity,
            Life_V1_Verification.Method.getVerificationResult, Life_V1_Verification.Method.listVerificationResults,
            Life_V1_Verification.Method.getVerificationJob,
        ].map(\.path))

    /// Whether a failed attempt of `method` may be sent again.
    func allowsRetry(of failure: AttemptFailure, method: MethodDescriptor) -> Bool {
        switch failure.outcome {
        case .notProcessed: true
        case .unknown: idempotentMethods.contains(method.path)
        case .final: false
        }
    }

    /// The pause after attempt `attempt` (1 for the first) failed.
    func backoff(afterAttempt attempt: Int, random: Double = .random(in: 0...1)) -> Duration {
        var ceiling = initialBackoff
        for _ in 1..<max(1, attempt) where ceiling < maxBackoff { ceiling *= 2 }
        ceiling = min(ceiling, maxBackoff)
        return ceiling / 2 + (ceiling / 2) * random
    }
}
