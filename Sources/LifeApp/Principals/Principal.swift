import Foundation
import LifeCore

/// Someone on whose behalf a use case runs — a staff member of a facility, the local operator,
/// or the server itself — and how the audit log names them.
public protocol Principal: Sendable {
    /// The audit event of this principal's call touching `target`, ending with `result`.
    func auditEvent(time: Date, target: String, result: String, reason: String) -> AuditEvent
}

extension Principal {
    /// The audit event of a call that succeeded.
    public func auditEvent(time: Date, target: String) -> AuditEvent {
        auditEvent(time: time, target: target, result: "OK", reason: "")
    }
}
