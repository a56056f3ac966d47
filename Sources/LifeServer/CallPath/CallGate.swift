import Foundation
import LifeApp
import LifeCore
import LifeWire
import SwiftProtobuf

/// The one step on every call's path (the routers' interceptor): proves the caller as the
/// method's `CallPolicy` asks — a staff session on its certificate, or the local operator —
/// refuses what the operating mode does not allow (`ModeRule`), and hands the handler a context
/// carrying that principal. A use case that succeeds has committed its
/// own audit record with its change; a call that fails is audited here, with the target its
/// request names (`AuditTargeted`) and the status it ends with.
public struct CallGate: RPCInterceptor {
    private let auth: AuthUseCases
    private let store: any TransactionalStore
    private let clock: any WallClock
    private let mode: @Sendable () -> OperatingModeState

    public init(
        auth: AuthUseCases, store: any TransactionalStore, clock: any WallClock = SystemClock(),
        mode: @escaping @Sendable () -> OperatingModeState = { .initial }
    ) {
        self.auth = auth
        self.mode = mode
        self.store = store
        self.clock = clock
    }

    public func intercept(
        _ context: ServerCallContext, request: any SwiftProtobuf.Message, next: (ServerCallContext) async throws -> [UInt8]?
    ) async throws -> [UInt8]? {
        let policy = CallPolicy(path: context.method.path)
        if policy == .open { return try await next(context) }
        let call = Self.callRecord(context)
        var principal: any Principal = AnonymousPrincipal(call: call)
        var context = context
        do {
            switch policy {
            case .open:
                break
            case .staff(let allowingPasswordChange):
                var fingerprint: String?
                if case .tls(let peer) = context.peer { fingerprint = peer.fingerprint }
                let staff = try await auth.authenticate(
                    token: SessionToken.bearer(in: context.metadata), certificateFingerprint: fingerprint, call: call,
                    allowingPasswordChange: allowingPasswordChange)
                principal = staff.principal
                context.principal = staff
            case .localOperator:
                guard case .unix = context.peer else {
                    throw DomainError.permissionDenied("admin methods are offered on the Unix socket only")
                }
                let admin = OperatorPrincipal(call: call)
                principal = admin
                context.principal = admin
            }
            let current = mode()
            if ModeRule(path: context.method.path).refuses(in: current.mode) {
                throw DomainError.refusedByMode(current.mode, reason: current.reason)
            }
            return try await next(context)
        } catch {
            let outcome = (error as? any RPCErrorConvertible)?.rpcError ?? RPCError(.internal, "internal error")
            let event = principal.auditEvent(
                time: clock.now(), target: (request as? any AuditTargeted)?.auditTarget ?? "", result: "\(outcome.code)",
                reason: outcome.reason)
            try await store.audit(event)
            throw error
        }
    }

    private static func callRecord(_ context: ServerCallContext) -> CallRecord {
        switch context.peer {
        case .tls(let peer):
            CallRecord(method: context.method.path, certificateFingerprint: peer.fingerprint)
        case .unix(let peer):
            CallRecord(method: context.method.path, localPeer: "uid=\(peer.uid) gid=\(peer.gid) pid=\(peer.pid)")
        }
    }
}
