import Foundation
import LifeCore

/// Rules for staff account fields, and the one way accounts are made (a facility's first admin by
/// the operator, everyone else by the facility's admins).
enum StaffAccountRules {
    /// 1…64 printable ASCII characters without spaces.
    static func checkLoginID(_ loginID: String, field: String) throws(DomainError) {
        guard (1...64).contains(loginID.utf8.count), loginID.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw .invalidField(field: field, reason: "FORMAT", message: "login id must be 1…64 printable ASCII characters without spaces")
        }
    }

    /// 1…100 characters, no control characters.
    static func checkDisplayName(_ name: String, field: String) throws(DomainError) {
        guard (1...100).contains(name.count), !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalidField(field: field, reason: "FORMAT", message: "display name must be 1…100 characters without control characters")
        }
    }

    /// A checked new account with the hash of an initial password that must be changed at first
    /// login; storing it (and auditing it) is the caller's unit of work.
    static func newAccount(
        _ draft: StaffAccountDraft, facility: FacilityNumber, initialPassword: String, policy: PasswordPolicy, hasher: any PasswordHasher,
        now: Date
    ) async throws -> StaffMember {
        try checkLoginID(draft.loginID, field: draft.fields.loginID)
        try checkDisplayName(draft.displayName, field: draft.fields.displayName)
        try policy.check(initialPassword, loginID: draft.loginID, field: draft.fields.password)
        return StaffMember(
            facility: facility, loginID: draft.loginID, displayName: draft.displayName, role: draft.role,
            passwordHash: try await hasher.hash(initialPassword), mustChangePassword: true, createdAt: now, updatedAt: now)
    }
}
