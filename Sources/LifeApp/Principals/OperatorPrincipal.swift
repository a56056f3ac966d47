import Foundation
import LifeCore

/// The local operator: a process on the Unix socket that the socket's allow-list admitted
/// (lifectl run by root or a member of the daemon's group).
public struct OperatorPrincipal: Principal, Hashable {
    public var call: CallRecord

    public init(call: CallRecord) {
        self.call = call
    }

    public func auditEvent(time: Date, target: String, result: String, reason: String) -> AuditEvent {
        AuditEvent(time: time, localPeer: call.localPeer, method: call.method, target: target, result: result, reason: reason)
    }
}
