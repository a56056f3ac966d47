import Foundation
import LifeCore

/// A staff member of one facility, proven by session and certificate, on whose behalf a use
/// case runs; carries what the audit log records about the call.
public struct StaffPrincipal: Principal, Hashable {
    public var facility: FacilityNumber
    public var staffID: Int64
    public var loginID: String
    public var role: StaffRole
    public var call: CallRecord

    public init(facility: FacilityNumber, staffID: Int64, loginID: String, role: StaffRole, call: CallRecord) {
        self.facility = facility
        self.staffID = staffID
        self.loginID = loginID
        self.role = role
        self.call = call
    }

    public func auditEvent(time: Date, target: String, result: String, reason: String) -> AuditEvent {
        AuditEvent(
            time: time, facility: facility.rawValue, loginID: loginID, certificateFingerprint: call.certificateFingerprint,
            localPeer: call.localPeer, method: call.method, target: target, result: result, reason: reason)
    }
}
