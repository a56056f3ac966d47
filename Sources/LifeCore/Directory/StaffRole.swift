/// What a staff account may do.
public enum StaffRole: String, Sendable, Hashable, CaseIterable {
    /// 管理ユーザー: manages the facility's staff accounts.
    case facilityAdmin = "facility_admin"
    /// 操作職員: works on recipients.
    case `operator` = "operator"
}
