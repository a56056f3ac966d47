import LifeCore

/// A staff account to create, with the request field names its violations are reported under.
public struct StaffAccountDraft: Sendable {
    public var loginID: String
    public var displayName: String
    public var role: StaffRole
    /// Field names of login id, display name and initial password in the request.
    public var fields: (loginID: String, displayName: String, password: String)

    public init(
        loginID: String, displayName: String, role: StaffRole,
        fields: (loginID: String, displayName: String, password: String) = ("login_id", "display_name", "initial_password")
    ) {
        self.loginID = loginID
        self.displayName = displayName
        self.role = role
        self.fields = fields
    }
}
