import Foundation
import LifeCore
import LifeWire

/// Appends what a call did to the audit log: who (peer and staff), method, target, outcome.
/// Never a password, token or record content.
struct AuditRecorder: Sendable {
    let storage: any LifeStorage

    func record(
        _ context: ServerCallContext,
        facility: String = "",
        loginID: String = "",
        target: String = "",
        outcome: RPCError?,
        reason: String = ""
    ) async throws {
        var event = AuditEvent(
            time: Date(), facility: facility, loginID: loginID, method: context.method.path, target: target,
            result: outcome.map { "\($0.code)" } ?? "OK", reason: reason)
        switch context.peer {
        case .tls(let peer):
            event.certificateFingerprint = peer.fingerprint
        case .unix(let peer):
            event.localPeer = "uid=\(peer.uid) gid=\(peer.gid) pid=\(peer.pid)"
        }
        try await storage.appendAudit(event)
    }

    /// Runs `body` and records its outcome (an error's status, with `reason` from a
    /// `DomainError` where there is one), then returns or rethrows.
    func audited<T: Sendable>(
        _ context: ServerCallContext,
        facility: String = "",
        loginID: String = "",
        target: String = "",
        _ body: () async throws -> T
    ) async throws -> T {
        do {
            let result = try await body()
            try await record(context, facility: facility, loginID: loginID, target: target, outcome: nil)
            return result
        } catch {
            let rpcError = (error as? any RPCErrorConvertible)?.rpcError ?? RPCError(.internal, "internal error")
            try await record(context, facility: facility, loginID: loginID, target: target, outcome: rpcError, reason: rpcError.reason)
            throw error
        }
    }
}
