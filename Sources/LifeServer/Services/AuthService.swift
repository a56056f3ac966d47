import Foundation
import LifeCore
import LifeProto
import LifeStubs
import LifeWire

/// life.v1.Auth: staff login bound to the facility certificate of the connection.
///
/// A login succeeds only with the right password of an enabled, unlocked account of the
/// facility the connection's certificate proves. Every other outcome — wrong password, unknown
/// id, disabled or locked account, another facility's certificate, an unregistered certificate —
/// is the same UNAUTHENTICATED after the same work (one password hash is always checked, against
/// a dummy hash when there is no account), so neither the answer nor its timing tells whether an
/// id exists. The audit log records the real reason.
public struct AuthService: Life_V1_AuthService {
    private let storage: any LifeStorage
    private let hasher: any PasswordHasher
    private let settings: AuthSettings
    private let resolver: FacilityResolver
    private let authenticator: SessionAuthenticator
    private let throttle: LoginThrottle
    private let audit: AuditRecorder
    private let dummyHash: String
    private let clock: any WallClock

    /// `dummyHash`: a hash (by `hasher`) of a random string, checked when no account exists.
    public init(
        storage: any LifeStorage, hasher: any PasswordHasher, settings: AuthSettings, dummyHash: String,
        clock: any WallClock = SystemClock()
    ) {
        self.clock = clock
        self.storage = storage
        self.hasher = hasher
        self.settings = settings
        self.resolver = FacilityResolver(
            storage: storage, subjectAttribute: settings.facilitySubjectAttribute, checkDigit: settings.checkFacilityNumberDigit)
        self.authenticator = SessionAuthenticator(storage: storage, policy: settings.login, clock: clock)
        self.throttle = LoginThrottle(burst: settings.login.certificateFailureBurst, window: settings.login.certificateWindow)
        self.audit = AuditRecorder(storage: storage)
        self.dummyHash = dummyHash
    }

    public func login(_ request: Life_V1_LoginRequest, context: ServerCallContext) async throws -> Life_V1_LoginResponse {
        guard case .tls(let peer) = context.peer else { throw DomainError.unauthenticated }
        guard (1...64).contains(request.loginID.count), (1...1024).contains(request.password.utf8.count) else {
            throw DomainError.invalidField(
                field: "login_id", reason: "LENGTH", message: "login id (1…64) and password (1…1024 bytes) are required")
        }
        let delay = throttle.delay(for: peer.fingerprint, now: clock.now())
        if delay > .zero { try await Task.sleep(for: delay) }

        let now = clock.now()
        let facility = try await resolver.facility(for: peer)
        let member = try await facility.asyncMap { try await storage.staffMember(facility: $0.number, loginID: request.loginID) } ?? nil
        let matches = try await hasher.verify(request.password, against: member?.passwordHash ?? dummyHash)

        var failure: String?
        if facility == nil {
            failure = "CERTIFICATE_NOT_REGISTERED"
        } else if facility!.disabled {
            failure = "FACILITY_DISABLED"
        } else if member == nil {
            failure = "UNKNOWN_LOGIN_ID"
        } else if member!.disabled {
            failure = "ACCOUNT_DISABLED"
        } else if member!.isLocked(at: now) {
            failure = "ACCOUNT_LOCKED"
        } else if !matches {
            let after = try await storage.recordFailedLogin(
                staffID: member!.id!,
                at: now,
                lockAfter: settings.login.lockAfterFailures,
                lockDuration: settings.login.lockDuration
            )
            failure = after.isLocked(at: now) ? "WRONG_PASSWORD_LOCKED" : "WRONG_PASSWORD"
        }
        let facilityNumber = facility?.number.rawValue ?? ""
        if let failure {
            throttle.recordFailure(for: peer.fingerprint, now: now)
            try await audit.record(
                context, facility: facilityNumber, loginID: request.loginID, outcome: DomainError.unauthenticated.rpcError, reason: failure)
            throw DomainError.unauthenticated
        }
        guard let member, let memberID = member.id, let facility else { throw DomainError.unauthenticated }

        try await storage.recordSuccessfulLogin(staffID: memberID, at: now)
        let token = SessionToken.generate()
        let session = Session(
            tokenHash: SessionToken.hash(token),
            staffID: memberID,
            facility: facility.number,
            certificateFingerprint: peer.fingerprint,
            createdAt: now,
            lastSeenAt: now,
            expiresAt: now.addingTimeInterval(settings.login.sessionLifetime.seconds)
        )
        try await storage.createSession(session)
        try await audit.record(
            context, facility: facilityNumber, loginID: member.loginID, target: "staff:\(member.loginID)", outcome: nil,
            reason: member.mustChangePassword ? "PASSWORD_CHANGE_REQUIRED" : "")

        var response = Life_V1_LoginResponse()
        response.sessionToken = token
        response.expiresAt = Life_V1_Timestamp(session.expiresAt)
        response.idleExpiresAt = Life_V1_Timestamp(now.addingTimeInterval(settings.login.sessionIdleTimeout.seconds))
        var updated = member
        updated.lastLoginAt = now
        updated.failedLoginCount = 0
        response.staffMember = Life_V1_StaffMember(updated)
        response.facilityName = facility.name
        return response
    }

    public func logout(_ request: Life_V1_LogoutRequest, context: ServerCallContext) async throws -> Life_V1_LogoutResponse {
        let caller = try await authenticator.authenticate(context, allowingPasswordChange: true)
        return try await audit.audited(context, facility: caller.facility.number.rawValue, loginID: caller.staff.loginID) {
            try await storage.revokeSession(tokenHash: caller.session.tokenHash, at: clock.now())
            return Life_V1_LogoutResponse()
        }
    }

    public func whoAmI(_ request: Life_V1_WhoAmIRequest, context: ServerCallContext) async throws -> Life_V1_WhoAmIResponse {
        let caller = try await authenticator.authenticate(context, allowingPasswordChange: true)
        var response = Life_V1_WhoAmIResponse()
        response.staffMember = Life_V1_StaffMember(caller.staff)
        response.facilityName = caller.facility.name
        response.loggedInAt = Life_V1_Timestamp(caller.session.createdAt)
        response.expiresAt = Life_V1_Timestamp(caller.session.expiresAt)
        response.idleExpiresAt = Life_V1_Timestamp(clock.now().addingTimeInterval(settings.login.sessionIdleTimeout.seconds))
        response.certificateFingerprint = caller.session.certificateFingerprint
        return response
    }

    public func changePassword(_ request: Life_V1_ChangePasswordRequest, context: ServerCallContext) async throws
        -> Life_V1_ChangePasswordResponse
    {
        let caller = try await authenticator.authenticate(context, allowingPasswordChange: true)
        let staff = caller.staff
        return try await audit.audited(context, facility: staff.facility.rawValue, loginID: staff.loginID, target: "staff:\(staff.loginID)")
        {
            guard try await hasher.verify(request.oldPassword, against: staff.passwordHash) else {
                _ = try await storage.recordFailedLogin(
                    staffID: staff.id!,
                    at: clock.now(),
                    lockAfter: settings.login.lockAfterFailures,
                    lockDuration: settings.login.lockDuration
                )
                throw DomainError.invalidField(
                    field: "old_password", reason: "WRONG_PASSWORD", message: "the current password is not correct")
            }
            try settings.passwords.check(request.newPassword, loginID: staff.loginID)
            guard request.newPassword != request.oldPassword else {
                throw DomainError.invalidField(
                    field: "new_password", reason: "UNCHANGED", message: "the new password must differ from the current one")
            }
            // Only if the password is still the one just checked: a reset made while this hash
            // was computed wins, and this change is ABORTED.
            let updated = try await storage.replacePassword(
                staffID: staff.id!, expectedHash: staff.passwordHash, newHash: try await hasher.hash(request.newPassword),
                mustChange: false, at: clock.now())
            let revoked = try await storage.revokeSessions(staffID: staff.id!, keeping: caller.session.tokenHash, at: clock.now())
            var response = Life_V1_ChangePasswordResponse()
            response.revokedSessionCount = UInt32(revoked)
            response.staffMember = Life_V1_StaffMember(updated)
            return response
        }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
