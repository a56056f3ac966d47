import Foundation
import LifeCore

/// Rules for staff account fields.
enum StaffRules {
    /// 1…64 printable ASCII characters without spaces.
    static func checkLoginID(_ loginID: String, field: String = "staff_member.login_id") throws(DomainError) {
        guard (1...64).contains(loginID.utf8.count), loginID.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw .invalidField(field: field, reason: "FORMAT", message: "login id must be 1…64 printable ASCII characters without spaces")
        }
    }

    /// 1…100 characters, no control characters.
    static func checkDisplayName(_ name: String, field: String = "staff_member.display_name") throws(DomainError) {
        guard (1...100).contains(name.count), !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalidField(field: field, reason: "FORMAT", message: "display name must be 1…100 characters without control characters")
        }
    }

    /// Checks and creates an account whose initial password must be changed at first login: the
    /// one way both Admin (a facility's first admin) and Staff (everyone else) make accounts.
    static func createAccount(
        facility: FacilityNumber,
        loginID: String,
        displayName: String,
        role: StaffRole,
        initialPassword: String,
        fields: (loginID: String, displayName: String, password: String),
        storage: any LifeStorage,
        hasher: any PasswordHasher,
        policy: PasswordPolicy
    ) async throws -> StaffMember {
        try checkLoginID(loginID, field: fields.loginID)
        try checkDisplayName(displayName, field: fields.displayName)
        try policy.check(initialPassword, loginID: loginID, field: fields.password)
        let now = Date()
        return try await storage.createStaffMember(
            StaffMember(
                facility: facility,
                loginID: loginID,
                displayName: displayName,
                role: role,
                passwordHash: try await hasher.hash(initialPassword),
                mustChangePassword: true,
                createdAt: now,
                updatedAt: now
            )
        )
    }
}
