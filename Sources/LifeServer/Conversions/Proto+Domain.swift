import Foundation
import LifeCore
import LifeProto
import LifeWire

extension Life_V1_StaffMember {
    init(_ member: StaffMember) {
        self.init()
        loginID = member.loginID
        facilityNumber = member.facility.rawValue
        role = member.role == .facilityAdmin ? .facilityAdmin : .operator
        displayName = member.displayName
        disabled = member.disabled
        if let lockedUntil = member.lockedUntil, lockedUntil > Date() { self.lockedUntil = Life_V1_Timestamp(lockedUntil) }
        failedLoginCount = UInt32(member.failedLoginCount)
        mustChangePassword = member.mustChangePassword
        if let lastLoginAt = member.lastLoginAt { self.lastLoginAt = Life_V1_Timestamp(lastLoginAt) }
        createdAt = Life_V1_Timestamp(member.createdAt)
        updatedAt = Life_V1_Timestamp(member.updatedAt)
        version = member.version
    }
}

extension Life_V1_Facility {
    init(_ facility: Facility) {
        self.init()
        facilityNumber = facility.number.rawValue
        name = facility.name
        disabled = facility.disabled
        createdAt = Life_V1_Timestamp(facility.createdAt)
        updatedAt = Life_V1_Timestamp(facility.updatedAt)
        serviceTypeCodes = facility.serviceTypeCodes
    }
}

extension Life_V1_CertificateRegistration {
    init(_ registration: CertificateRegistration) {
        self.init()
        fingerprint = registration.fingerprint
        facilityNumber = registration.facility.rawValue
        subject = registration.subject
        if let notAfter = registration.notAfter { self.notAfter = Life_V1_Timestamp(notAfter) }
        note = registration.note
        registeredAt = Life_V1_Timestamp(registration.registeredAt)
        if let revokedAt = registration.revokedAt { self.revokedAt = Life_V1_Timestamp(revokedAt) }
    }
}

extension Life_V1_AuditEvent {
    init(_ record: AuditRecord) {
        self.init()
        sequence = record.sequence
        time = Life_V1_Timestamp(record.event.time)
        facilityNumber = record.event.facility
        loginID = record.event.loginID
        certificateFingerprint = record.event.certificateFingerprint
        method = record.event.method
        target = record.event.target
        result =
            RPCError.Code.allCases.first { "\($0)" == record.event.result }.flatMap { Life_V1_StatusCode(rawValue: $0.rawValue) }
            ?? .unknown
        reason = record.event.reason
        previousHash = record.previousHash
        hash = record.hash
    }
}

extension StaffRole {
    /// The domain role of a wire role; nil for UNSPECIFIED or unknown values.
    init?(_ role: Life_V1_StaffRole) {
        switch role {
        case .facilityAdmin: self = .facilityAdmin
        case .operator: self = .operator
        default: return nil
        }
    }
}

extension Life_V1_OperatingModeState {
    init(_ state: OperatingModeState) {
        self.init()
        mode = Life_V1_OperatingMode(rawValue: state.mode.rawValue) ?? .unspecified
        reason = state.reason
        if let changedAt = state.changedAt { self.changedAt = Life_V1_Timestamp(changedAt) }
    }
}

extension Life_V1_FacilityReadiness {
    init(_ readiness: FacilityReadiness, expiringBefore horizon: Date) {
        self.init()
        facilityNumber = readiness.facility.rawValue
        name = readiness.name
        state =
            switch readiness.state {
            case .noCertificate: .noCertificate
            case .certificateSeen: .certificateSeen
            case .loggedIn: .loggedIn
            }
        certificateCount = Int32(clamping: readiness.certificateCount)
        if let seen = readiness.lastSeenAt { lastSeenAt = Life_V1_Timestamp(seen) }
        if let login = readiness.lastLoginAt { lastLoginAt = Life_V1_Timestamp(login) }
        if let notAfter = readiness.notAfter { certificateNotAfter = Life_V1_Timestamp(notAfter) }
        expiringSoon = readiness.expires(before: horizon)
    }
}
