import Foundation
import LifeApp
import LifeCore
import LifePKI
import LifeProto
import LifeStubs
import LifeWire

/// life.v1.Auth: staff login bound to the facility certificate of the connection (the rules are
/// `AuthUseCases`'), and the calls of a logged-in member about their own session.
public struct AuthService: Life_V1_AuthService {
    private let auth: AuthUseCases
    private let settings: AuthSettings
    private let clock: any WallClock

    public init(auth: AuthUseCases, settings: AuthSettings, clock: any WallClock = SystemClock()) {
        self.auth = auth
        self.settings = settings
        self.clock = clock
    }

    public func login(_ request: Life_V1_LoginRequest, context: ServerCallContext) async throws -> Life_V1_LoginResponse {
        guard case .tls(let peer) = context.peer else { throw DomainError.unauthenticated }
        let certificate = PresentedCertificate(
            fingerprint: peer.fingerprint, subjectFacility: FacilityAttribute(settings: settings).facility(of: peer))
        let call = CallRecord(method: context.method.path, certificateFingerprint: peer.fingerprint)
        let result = try await auth.login(certificate, loginID: request.loginID, password: request.password, call: call)
        var response = Life_V1_LoginResponse()
        response.sessionToken = result.token
        response.expiresAt = Life_V1_Timestamp(result.session.expiresAt)
        response.idleExpiresAt = Life_V1_Timestamp(result.session.lastSeenAt.addingTimeInterval(settings.login.sessionIdleTimeout.seconds))
        response.staffMember = Life_V1_StaffMember(result.staff)
        response.facilityName = result.facility.name
        return response
    }

    public func logout(_ request: Life_V1_LogoutRequest, context: ServerCallContext) async throws -> Life_V1_LogoutResponse {
        try await auth.logout(try context.staff())
        return Life_V1_LogoutResponse()
    }

    public func whoAmI(_ request: Life_V1_WhoAmIRequest, context: ServerCallContext) async throws -> Life_V1_WhoAmIResponse {
        let caller = try context.staff()
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
        let (member, revoked) = try await auth.changePassword(try context.staff(), old: request.oldPassword, new: request.newPassword)
        var response = Life_V1_ChangePasswordResponse()
        response.revokedSessionCount = UInt32(revoked)
        response.staffMember = Life_V1_StaffMember(member)
        return response
    }
}
