import Foundation
import LifeApp
import LifeCore
import LifeWire

/// The one step on the call path of facility staff's calls: the session proves who calls and
/// from which facility (`SessionAuthenticator`), the principal built from it scopes the use case
/// to that facility and carries what the audit log records; a use case that succeeds has
/// committed its own audit record with its change, and one that fails is audited here.
struct StaffCallGate: Sendable {
    private let authenticator: SessionAuthenticator
    private let audit: AuditRecorder

    init(storage: any LifeStorage, settings: AuthSettings, clock: any WallClock) {
        authenticator = SessionAuthenticator(storage: storage, policy: settings.login, clock: clock)
        audit = AuditRecorder(storage: storage)
    }

    /// Runs `body` for the session's staff member; `target` names what the call touches (an
    /// identifier, never a record's content) for the failure's audit record.
    func call<T: Sendable>(_ context: ServerCallContext, target: String, _ body: (StaffPrincipal) async throws -> T) async throws -> T {
        let caller: AuthenticatedCaller
        do {
            caller = try await authenticator.authenticate(context)
        } catch {
            try await audit.record(context, target: target, outcome: Self.outcome(error))
            throw error
        }
        var record = CallRecord(method: context.method.path)
        if case .tls(let peer) = context.peer { record.certificateFingerprint = peer.fingerprint }
        let principal = StaffPrincipal(
            facility: caller.facility.number, staffID: caller.staff.id ?? 0, loginID: caller.staff.loginID, role: caller.staff.role,
            call: record)
        do {
            return try await body(principal)
        } catch {
            let outcome = Self.outcome(error)
            try await audit.record(
                context, facility: principal.facility.rawValue, loginID: principal.loginID, target: target, outcome: outcome,
                reason: outcome.reason)
            throw error
        }
    }

    private static func outcome(_ error: any Error) -> RPCError {
        (error as? any RPCErrorConvertible)?.rpcError ?? RPCError(.internal, "internal error")
    }
}
