import LifeApp
import LifeCore
import LifeProto

/// A request that names what it touches, for the audit record of a call that fails before its
/// use case could record it: an identifier, never a record's content.
protocol AuditTargeted {
    var auditTarget: String { get }
}

extension Life_V1_CreateRecipientRequest: AuditTargeted { var auditTarget: String { "recipient:new" } }
extension Life_V1_GetRecipientRequest: AuditTargeted { var auditTarget: String { RecipientUseCases.target(id) } }
extension Life_V1_ListRecipientsRequest: AuditTargeted { var auditTarget: String { "recipients" } }
extension Life_V1_UpdateRecipientRequest: AuditTargeted { var auditTarget: String { RecipientUseCases.target(recipient.id) } }
extension Life_V1_DeleteRecipientRequest: AuditTargeted { var auditTarget: String { RecipientUseCases.target(id) } }
extension Life_V1_WatchRecipientsRequest: AuditTargeted { var auditTarget: String { "recipients:watch" } }

extension Life_V1_CreateStaffMemberRequest: AuditTargeted { var auditTarget: String { StaffUseCases.target(staffMember.loginID) } }
extension Life_V1_ListStaffMembersRequest: AuditTargeted { var auditTarget: String { "staff" } }
extension Life_V1_GetStaffMemberRequest: AuditTargeted { var auditTarget: String { StaffUseCases.target(loginID) } }
extension Life_V1_UpdateStaffMemberRequest: AuditTargeted { var auditTarget: String { StaffUseCases.target(staffMember.loginID) } }
extension Life_V1_DisableStaffMemberRequest: AuditTargeted { var auditTarget: String { StaffUseCases.target(loginID) } }
extension Life_V1_EnableStaffMemberRequest: AuditTargeted { var auditTarget: String { StaffUseCases.target(loginID) } }
extension Life_V1_ResetStaffMemberPasswordRequest: AuditTargeted { var auditTarget: String { StaffUseCases.target(loginID) } }
extension Life_V1_UnlockStaffMemberRequest: AuditTargeted { var auditTarget: String { StaffUseCases.target(loginID) } }

extension Life_V1_CreateFacilityRequest: AuditTargeted { var auditTarget: String { facilityTarget(facility.facilityNumber) } }
extension Life_V1_DisableFacilityRequest: AuditTargeted { var auditTarget: String { facilityTarget(facilityNumber) } }
extension Life_V1_EnableFacilityRequest: AuditTargeted { var auditTarget: String { facilityTarget(facilityNumber) } }
extension Life_V1_CreateCertificateRegistrationRequest: AuditTargeted { var auditTarget: String { facilityTarget(facilityNumber) } }
extension Life_V1_RevokeCertificateRegistrationRequest: AuditTargeted {
    var auditTarget: String { "certificate:" + fingerprint.prefix(utf8Bytes: 95) }
}
extension Life_V1_CreateFacilityAdminRequest: AuditTargeted { var auditTarget: String { StaffUseCases.target(loginID) } }
extension Life_V1_AdminUnlockStaffMemberRequest: AuditTargeted { var auditTarget: String { StaffUseCases.target(loginID) } }
extension Life_V1_BackupDatabaseRequest: AuditTargeted { var auditTarget: String { "backup" } }

private func facilityTarget(_ number: String) -> String { "facility:" + number.prefix(utf8Bytes: 16) }
