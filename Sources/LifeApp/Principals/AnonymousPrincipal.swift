import Foundation
import LifeCore

/// A caller known only by its transport: a certificate not yet logged in (Auth.Login), or a
/// call refused before anyone was proven.
public struct AnonymousPrincipal: Principal, Hashable {
    public var call: CallRecord
    /// The facility the caller claimed or its certificate names, when known.
    public var facility: String
    public var loginID: String

    public init(call: CallRecord, facility: String = "", loginID: String = "") {
        self.call = call
        self.facility = facility
        self.loginID = loginID
    }

    public func auditEvent(time: Date, target: String, result: String, reason: String) -> AuditEvent {
        AuditEvent(
            time: time, facility: facility, loginID: loginID, certificateFingerprint: call.certificateFingerprint,
            localPeer: call.localPeer, method: call.method, target: target, result: result, reason: reason)
    }
}
