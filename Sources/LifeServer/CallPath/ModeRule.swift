import LifeCore

/// What a method does in the eyes of the operating mode, by its path: decided in one table, like
/// `CallPolicy`, and closed by default — a method not listed as a read counts as a write.
enum ModeRule: Equatable {
    /// Reads, session mechanics a reference-only server still needs (Login, Logout,
    /// ChangePassword), and the operator's own tools: served in every mode.
    case unrestricted
    /// Changes data: refused when read-only.
    case write
    /// Deletes recipients or facility information, or creates a facility: refused when
    /// migration-freeze or read-only.
    case frozenWrite

    init(path: String) {
        if path.hasPrefix("/life.v1.Health/") || path.hasPrefix("/life.v1.Auth/") || Self.reads.contains(path) {
            self = .unrestricted
        } else if Self.frozen.contains(path) {
            self = .frozenWrite
        } else {
            self = .write
        }
    }

    /// Whether `mode` refuses a call of this kind.
    func refuses(in mode: OperatingMode) -> Bool {
        switch (self, mode) {
        case (.unrestricted, _), (_, .normal), (.write, .migrationFreeze): false
        case (.frozenWrite, _), (.write, .readOnly): true
        }
    }

    private static let frozen: Set<String> = [
        "/life.v1.Recipients/DeleteRecipient", "/life.v1.Admin/CreateFacility", "/life.v1.Admin/DisableFacility",
    ]
    private static let reads: Set<String> = [
        "/life.v1.Recipients/GetRecipient", "/life.v1.Recipients/ListRecipients", "/life.v1.Recipients/WatchRecipients",
        "/life.v1.Staff/ListStaffMembers", "/life.v1.Staff/GetStaffMember",
        "/life.v1.Verification/GetVerificationResult", "/life.v1.Verification/ListVerificationResults",
        "/life.v1.Verification/GetVerificationJob",
        "/life.v1.Admin/ListFacilities", "/life.v1.Admin/ListCertificateRegistrations", "/life.v1.Admin/ListParticipatingInsurers",
        "/life.v1.Admin/GetRegistryStatus", "/life.v1.Admin/ListVerificationJobs", "/life.v1.Admin/BackupDatabase",
        "/life.v1.Admin/CheckDatabaseIntegrity", "/life.v1.Admin/ListAuditEvents", "/life.v1.Admin/VerifyAuditChain",
        "/life.v1.Admin/GetOperatingMode", "/life.v1.Admin/SetOperatingMode", "/life.v1.Admin/ListCertificateReadiness",
    ]
}
