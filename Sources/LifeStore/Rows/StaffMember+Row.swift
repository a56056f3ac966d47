import GRDB
import LifeCore

extension StaffMember {
    /// The columns `init(row:path:)` reads.
    static let selection = """
        id, facility_number, login_id, display_name, role, password_hash, must_change_password, disabled, \
        failed_login_count, locked_until, last_login_at, created_at, updated_at, version
        """

    /// A staff member from a `staff` row.
    init(row: Row, path: String) throws {
        let roleText = try row.decode(String.self, forColumn: "role")
        guard let role = StaffRole(rawValue: roleText) else {
            throw StoreError(code: .corruptData, path: path, message: "database \(path) holds an unknown staff role")
        }
        self.init(
            id: try row.decode(Int64.self, forColumn: "id"),
            facility: try row.facilityNumber("facility_number", path: path),
            loginID: try row.decode(String.self, forColumn: "login_id"),
            displayName: try row.decode(String.self, forColumn: "display_name"),
            role: role,
            passwordHash: try row.decode(String.self, forColumn: "password_hash"),
            mustChangePassword: try row.decode(Bool.self, forColumn: "must_change_password"),
            disabled: try row.decode(Bool.self, forColumn: "disabled"),
            failedLoginCount: try row.decode(Int.self, forColumn: "failed_login_count"),
            lockedUntil: try row.optionalTime("locked_until"),
            lastLoginAt: try row.optionalTime("last_login_at"),
            createdAt: try row.time("created_at"),
            updatedAt: try row.time("updated_at"),
            version: try row.decode(Int64.self, forColumn: "version")
        )
    }

    /// The member with every time as it reads back from storage.
    var normalizedForStorage: StaffMember {
        var member = self
        member.lockedUntil = lockedUntil.map(StoredTime.normalized)
        member.lastLoginAt = lastLoginAt.map(StoredTime.normalized)
        member.createdAt = StoredTime.normalized(createdAt)
        member.updatedAt = StoredTime.normalized(updatedAt)
        return member
    }
}
