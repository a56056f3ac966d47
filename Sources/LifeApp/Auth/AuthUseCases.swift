import Foundation
import LifeCore
import Metrics

/// Staff login bound to the facility certificate, the session check every later call makes,
/// logout and password change.
///
/// A login succeeds only with the right password of an enabled, unlocked account of the
/// facility the certificate proves. Every other outcome — wrong password, unknown id, disabled or
/// locked account, another facility's certificate — is the same `unauthenticated` after the same
/// work (one password hash is always checked, against a dummy hash when there is no account), so
/// neither the answer nor its timing tells whether an id exists. A certificate that proves no
/// facility is refused the same way but without a hash: it has no ids to hide, and hashing for
/// it would let any certificate of the CA buy CPU. The audit log records the real reason.
///
/// Hashing is bounded and fair (`FairAdmission`, queued per certificate), and one account's
/// logins run one at a time, each deciding on the state the previous one left; the decision to
/// open a session is taken again when it commits, so a lock, disable or password change made
/// while the hash ran wins.
public struct AuthUseCases: Sendable {
    private let store: any TransactionalStore
    private let hasher: any PasswordHasher
    private let policy: LoginPolicy
    private let passwords: PasswordPolicy
    private let dummyHash: @Sendable () async throws -> String
    private let clock: any WallClock
    private let throttle: LoginThrottle
    private let admission: FairAdmission
    private let accounts = KeyedSerializer()
    private let metrics: any MetricsFactory

    /// `dummyHash`: a hash (by `hasher`) of a random string, checked when no account exists; made
    /// once, after the daemon is already serving (a hash costs ~0.3 s), and awaited by the logins
    /// that need it.
    /// `admission`: the password checks of logins and password changes wait their turn there,
    /// queued per certificate (its slots should match the hasher's threads).
    /// `metrics`: where refused logins (by the audited reason) and lockouts are counted.
    public init(
        store: any TransactionalStore, hasher: any PasswordHasher, policy: LoginPolicy, passwords: PasswordPolicy,
        dummyHash: @escaping @Sendable () async throws -> String,
        admission: FairAdmission = FairAdmission(slots: 1, perKey: 4, total: 64), clock: any WallClock = SystemClock(),
        metrics: any MetricsFactory = NOOPMetricsHandler.instance
    ) {
        self.metrics = metrics
        self.admission = admission
        self.store = store
        self.hasher = hasher
        self.policy = policy
        self.passwords = passwords
        self.dummyHash = dummyHash
        self.clock = clock
        self.throttle = LoginThrottle(burst: policy.certificateFailureBurst, window: policy.certificateWindow)
    }

    /// The staff member behind a session token presented with the certificate it was issued
    /// under, within the idle and absolute expiry, for an enabled account of an enabled facility.
    /// Every failure is the same `unauthenticated`. `allowingPasswordChange`: the call is one a
    /// member who must change the password may still make.
    public func authenticate(token: String?, certificateFingerprint: String?, call: CallRecord, allowingPasswordChange: Bool)
        async throws -> AuthenticatedStaff
    {
        let now = clock.now()
        guard let token, let certificateFingerprint else { throw DomainError.unauthenticated }
        let tokenHash = SessionToken.hash(token)
        guard let (session, staff, facility) = try await store.snapshot({ unit in try unit.sessionWithOwner(tokenHash: tokenHash) }),
            session.revokedAt == nil,
            session.expiresAt > now,
            now.timeIntervalSince(session.lastSeenAt) < policy.sessionIdleTimeout.seconds,
            session.certificateFingerprint == certificateFingerprint,
            !staff.disabled,
            !facility.disabled,
            let staffID = staff.id
        else {
            throw DomainError.unauthenticated
        }
        if staff.mustChangePassword, !allowingPasswordChange {
            throw DomainError.passwordChangeRequired
        }
        // Activity is recorded now and then (a minute, or a quarter of the idle timeout if that is
        // shorter), not on every call: each record is a durable write.
        if now.timeIntervalSince(session.lastSeenAt) >= min(60, policy.sessionIdleTimeout.seconds / 4) {
            try await store.unitOfWork { unit in try unit.touchSession(tokenHash: tokenHash, at: now) }
        }
        let principal = StaffPrincipal(facility: facility.number, staffID: staffID, loginID: staff.loginID, role: staff.role, call: call)
        return AuthenticatedStaff(principal: principal, staff: staff, facility: facility, session: session)
    }

    public func login(_ certificate: PresentedCertificate, loginID: String, password: String, call: CallRecord) async throws
        -> LoginResult
    {
        // Bytes, not characters: one character can be megabytes of combining marks.
        guard (1...64).contains(loginID.utf8.count), (1...1024).contains(password.utf8.count) else {
            throw DomainError.invalidField(
                field: "login_id", reason: "LENGTH", message: "login id (1…64 bytes) and password (1…1024 bytes) are required")
        }
        let delay = throttle.delay(for: certificate.fingerprint, now: clock.now())
        if delay > .zero { try await Task.sleep(for: delay) }

        let arrived = clock.now()
        let facility = try await store.snapshot { unit in try Self.facility(proven: certificate, in: unit) }
        guard let facility else {
            // A certificate that proves no facility costs no password hash.
            try await refuse(AnonymousPrincipal(call: call, loginID: loginID), reason: "CERTIFICATE_NOT_REGISTERED", at: arrived)
            throttle.recordFailure(for: certificate.fingerprint, now: arrived)
            throw DomainError.unauthenticated
        }
        // One login per account at a time: each decides on the state the previous one left.
        return try await accounts.run(key: facility.number.rawValue + "\u{1F}" + loginID) {
            try await login(certificate, facility: facility, loginID: loginID, password: password, call: call)
        }
    }

    private func login(_ certificate: PresentedCertificate, facility: Facility, loginID: String, password: String, call: CallRecord)
        async throws -> LoginResult
    {
        let member = try await store.snapshot { unit in try unit.staffMember(facility: facility.number, loginID: loginID) }
        let hash: String
        if let stored = member?.passwordHash { hash = stored } else { hash = try await dummyHash() }
        let matches = try await admission.run(key: certificate.fingerprint) { try await hasher.verify(password, against: hash) }
        let now = clock.now()
        var failure: String?
        if facility.disabled {
            failure = "FACILITY_DISABLED"
        } else if member == nil {
            failure = "UNKNOWN_LOGIN_ID"
        } else if member!.disabled {
            failure = "ACCOUNT_DISABLED"
        } else if member!.isLocked(at: now) {
            failure = "ACCOUNT_LOCKED"
        }
        if failure == nil, matches, let member {
            do {
                return try await open(session: member, of: facility, certificate: certificate, call: call, at: now)
            } catch let refusal as LoginRefusal {
                failure = refusal.reason
            }
        }
        let anonymous = AnonymousPrincipal(call: call, facility: facility.number.rawValue, loginID: loginID)
        try await refuse(anonymous, reason: failure, countingFailureOf: failure == nil ? member?.id : nil, at: now)
        throttle.recordFailure(for: certificate.fingerprint, now: now)
        throw DomainError.unauthenticated
    }

    /// Audits a refused login with its real reason; a wrong password (`reason` nil) is counted
    /// against the account, which may lock it.
    private func refuse(_ principal: AnonymousPrincipal, reason: String?, countingFailureOf staffID: Int64? = nil, at now: Date)
        async throws
    {
        let (lockAfter, lockDuration) = (policy.lockAfterFailures, policy.lockDuration)
        let audited = try await store.unitOfWork { unit in
            var reason = reason ?? "WRONG_PASSWORD"
            if let staffID {
                let after = try unit.recordFailedLogin(staffID: staffID, at: now, lockAfter: lockAfter, lockDuration: lockDuration)
                if after.isLocked(at: now) { reason = "WRONG_PASSWORD_LOCKED" }
            }
            try unit.appendAudit(principal.auditEvent(time: now, target: "", result: "UNAUTHENTICATED", reason: reason))
            return reason
        }
        // The reasons are this type's own constants, never what the caller sent.
        Counter(label: "lifed_login_failures_total", dimensions: [("reason", audited)], factory: metrics).increment()
        if audited == "WRONG_PASSWORD_LOCKED" { countLockout() }
    }

    /// An account locked by the failure just counted.
    private func countLockout() {
        Counter(label: "lifed_login_lockouts_total", factory: metrics).increment()
    }

    /// Decides on the account as it is when the session is written, not as it was read before
    /// the password hash: a lock, a disable or a password change made meanwhile refuses the login.
    private func open(session member: StaffMember, of facility: Facility, certificate: PresentedCertificate, call: CallRecord, at now: Date)
        async throws -> LoginResult
    {
        guard let memberID = member.id else { throw DomainError.unauthenticated }
        let token = SessionToken.generate()
        let session = Session(
            tokenHash: SessionToken.hash(token), staffID: memberID, facility: facility.number,
            certificateFingerprint: certificate.fingerprint, createdAt: now, lastSeenAt: now,
            expiresAt: now.addingTimeInterval(policy.sessionLifetime.seconds))
        let principal = StaffPrincipal(facility: facility.number, staffID: memberID, loginID: member.loginID, role: member.role, call: call)
        let staff = try await store.unitOfWork { unit in
            guard let current = try unit.staffMember(id: memberID), current.passwordHash == member.passwordHash, !current.disabled
            else { throw LoginRefusal(reason: "ACCOUNT_CHANGED") }
            guard !current.isLocked(at: now) else { throw LoginRefusal(reason: "ACCOUNT_LOCKED") }
            try unit.recordSuccessfulLogin(staffID: memberID, at: now)
            try unit.createSession(session)
            try unit.recordCertificateLogin(fingerprint: certificate.fingerprint, facility: facility.number, at: now)
            try unit.appendAudit(
                principal.auditEvent(
                    time: now, target: "staff:\(member.loginID)", result: "OK",
                    reason: current.mustChangePassword ? "PASSWORD_CHANGE_REQUIRED" : ""))
            var updated = current
            updated.lastLoginAt = now
            updated.failedLoginCount = 0
            return updated
        }
        return LoginResult(token: token, session: session, staff: staff, facility: facility)
    }

    /// Ends the caller's session.
    public func logout(_ caller: AuthenticatedStaff) async throws {
        let now = clock.now()
        try await store.unitOfWork { unit in
            try unit.revokeSession(tokenHash: caller.session.tokenHash, at: now)
            try unit.appendAudit(caller.principal.auditEvent(time: now, target: "staff:\(caller.staff.loginID)"))
        }
    }

    /// Replaces the caller's password after checking the current one (a wrong one counts as a
    /// failed login), and ends the member's other sessions. Returns the member as stored and how
    /// many sessions ended.
    public func changePassword(_ caller: AuthenticatedStaff, old: String, new: String) async throws -> (StaffMember, Int) {
        let staff = caller.staff
        let staffID = caller.principal.staffID
        guard !staff.isLocked(at: clock.now()) else {
            throw DomainError.failedPrecondition("the account is locked after failed password checks; wait or ask an admin to unlock it")
        }
        let fingerprint = caller.session.certificateFingerprint
        guard try await admission.run(key: fingerprint, { try await hasher.verify(old, against: staff.passwordHash) }) else {
            let (now, lockAfter, lockDuration) = (clock.now(), policy.lockAfterFailures, policy.lockDuration)
            let after = try await store.unitOfWork { unit in
                try unit.recordFailedLogin(staffID: staffID, at: now, lockAfter: lockAfter, lockDuration: lockDuration)
            }
            if after.isLocked(at: now) { countLockout() }
            throw DomainError.invalidField(field: "old_password", reason: "WRONG_PASSWORD", message: "the current password is not correct")
        }
        try passwords.check(new, loginID: staff.loginID)
        guard new != old else {
            throw DomainError.invalidField(
                field: "new_password", reason: "UNCHANGED", message: "the new password must differ from the current one")
        }
        let newHash = try await admission.run(key: fingerprint) { try await hasher.hash(new) }
        let now = clock.now()
        // Only if the password is still the one just checked: a reset made while this hash was
        // computed wins, and this change is refused (versionConflict).
        return try await store.unitOfWork { unit in
            let updated = try unit.replacePassword(
                staffID: staffID, expectedHash: staff.passwordHash, newHash: newHash, mustChange: false, at: now)
            let revoked = try unit.revokeSessions(staffID: staffID, keeping: caller.session.tokenHash, at: now)
            try unit.appendAudit(caller.principal.auditEvent(time: now, target: "staff:\(staff.loginID)"))
            return (updated, revoked)
        }
    }

    /// Which facility a certificate proves: a registered fingerprint first (for CAs whose subject
    /// carries no facility number), else the facility its subject names (so the yearly renewal of
    /// a certificate needs no registration). Never a facility number the client sends.
    static func facility(proven certificate: PresentedCertificate, in unit: any UnitOfWork) throws -> Facility? {
        if let registration = try unit.activeCertificateRegistration(fingerprint: certificate.fingerprint) {
            return try unit.facility(registration.facility)
        }
        return try certificate.subjectFacility.flatMap { try unit.facility($0) }
    }
}

/// Why a login found valid before hashing was refused when its session was to be written.
private struct LoginRefusal: Error {
    let reason: String
}
