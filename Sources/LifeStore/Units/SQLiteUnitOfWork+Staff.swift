import Foundation
import GRDB
import LifeCore

extension SQLiteUnitOfWork: StaffUnitOfWork {
    func createStaffMember(_ member: StaffMember) throws -> StaffMember {
        var stored = member.normalizedForStorage
        stored.version = 1
        try mappingConstraints(
            unique: .alreadyExists("login id \"\(member.loginID.prefix(64))\" in facility \(member.facility)"),
            foreignKey: .notFound("facility \(member.facility)")
        ) {
            try db.execute(
                cached: """
                    INSERT INTO staff (
                        facility_number, login_id, display_name, role, password_hash, must_change_password, disabled,
                        failed_login_count, locked_until, last_login_at, created_at, updated_at, version
                    ) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
                    """,
                arguments: [
                    stored.facility.rawValue, stored.loginID, stored.displayName, stored.role.rawValue, stored.passwordHash,
                    stored.mustChangePassword, stored.disabled, stored.failedLoginCount,
                    StoredTime.microseconds(stored.lockedUntil), StoredTime.microseconds(stored.lastLoginAt),
                    StoredTime.microseconds(stored.createdAt), StoredTime.microseconds(stored.updatedAt),
                ]
            )
        }
        stored.id = db.lastInsertedRowID
        return stored
    }

    func staffMember(facility: FacilityNumber, loginID: String) throws -> StaffMember? {
        try Row.fetchOne(
            cached: db, sql: "SELECT \(StaffMember.selection) FROM staff WHERE facility_number = ? AND login_id = ?",
            arguments: [facility.rawValue, loginID]
        ).map { try StaffMember(row: $0, path: path) }
    }

    func staffMember(id: Int64) throws -> StaffMember? {
        try Row.fetchOne(cached: db, sql: "SELECT \(StaffMember.selection) FROM staff WHERE id = ?", arguments: [id])
            .map { try StaffMember(row: $0, path: path) }
    }

    func staffMembers(facility: FacilityNumber, filter: StaffFilter, after: String?, limit: Int) throws -> [StaffMember] {
        var (conditions, arguments) = Self.staffConditions(facility: facility, filter: filter)
        conditions.append("login_id > ?")
        _ = arguments.append(contentsOf: [after ?? "", limit])
        return try Row.fetchAll(
            cached: db,
            sql: "SELECT \(StaffMember.selection) FROM staff WHERE \(conditions.joined(separator: " AND ")) ORDER BY login_id LIMIT ?",
            arguments: arguments
        ).map { try StaffMember(row: $0, path: path) }
    }

    func countStaffMembers(facility: FacilityNumber, filter: StaffFilter) throws -> Int {
        let (conditions, arguments) = Self.staffConditions(facility: facility, filter: filter)
        return try Int.fetchOne(
            cached: db, sql: "SELECT count(*) FROM staff WHERE \(conditions.joined(separator: " AND "))", arguments: arguments) ?? 0
    }

    func countEnabledAdmins(facility: FacilityNumber) throws -> Int {
        try Int.fetchOne(
            cached: db, sql: "SELECT count(*) FROM staff WHERE facility_number = ? AND role = ? AND disabled = 0",
            arguments: [facility.rawValue, StaffRole.facilityAdmin.rawValue]) ?? 0
    }

    func updateStaffProfile(staffID: Int64, displayName: String, role: StaffRole, expectedVersion: Int64?, at time: Date) throws
        -> StaffMember
    {
        try updateAccount(staffID, set: "display_name = ?, role = ?", [displayName, role.rawValue], at: time) { stored in
            guard let expectedVersion, stored.version != expectedVersion else { return }
            throw DomainError.versionConflict(
                "the staff member was changed by someone else (stored version \(stored.version)); read it again")
        }
    }

    func setStaffDisabled(staffID: Int64, disabled: Bool, at time: Date) throws -> StaffMember {
        try updateAccount(staffID, set: "disabled = ?", [disabled], at: time)
    }

    func replacePassword(staffID: Int64, expectedHash: String, newHash: String, mustChange: Bool, at time: Date) throws -> StaffMember {
        try updateAccount(staffID, set: "password_hash = ?, must_change_password = ?", [newHash, mustChange], at: time) { stored in
            guard stored.passwordHash != expectedHash else { return }
            throw DomainError.versionConflict("the password was changed meanwhile; try again")
        }
    }

    /// Updates the named account columns of one member, raising its version and `updated_at`,
    /// after `check` accepted the stored member; returns the member as stored.
    private func updateAccount(
        _ id: Int64, set assignments: String, _ values: StatementArguments, at time: Date,
        check: (StaffMember) throws -> Void = { _ in }
    ) throws -> StaffMember {
        guard let stored = try staffMember(id: id) else { throw DomainError.notFound("staff member \(id)") }
        try check(stored)
        var arguments = values
        _ = arguments.append(contentsOf: [StoredTime.microseconds(time), id])
        try db.execute(cached: "UPDATE staff SET \(assignments), updated_at = ?, version = version + 1 WHERE id = ?", arguments: arguments)
        guard let updated = try staffMember(id: id) else { throw DomainError.notFound("staff member \(id)") }
        return updated
    }

    func unlockStaffMember(staffID: Int64, at time: Date) throws -> StaffMember {
        try db.execute(
            cached: "UPDATE staff SET failed_login_count = 0, locked_until = NULL, updated_at = ? WHERE id = ?",
            arguments: [StoredTime.microseconds(time), staffID]
        )
        guard db.changesCount == 1, let stored = try staffMember(id: staffID) else { throw DomainError.notFound("staff member \(staffID)") }
        return stored
    }

    /// `updated_at` is left alone: it tracks changes to the account, not login bookkeeping.
    func recordFailedLogin(staffID: Int64, at time: Date, lockAfter: Int, lockDuration: Duration) throws -> StaffMember {
        guard var member = try staffMember(id: staffID) else { throw DomainError.notFound("staff member \(staffID)") }
        member.failedLoginCount += 1
        if lockAfter > 0, member.failedLoginCount >= lockAfter {
            let (until, overflow) = StoredTime.microseconds(time).addingReportingOverflow(StoredTime.microseconds(lockDuration))
            member.lockedUntil = StoredTime.date(overflow ? .max : until)
            member.failedLoginCount = 0
        }
        try db.execute(
            cached: "UPDATE staff SET failed_login_count = ?, locked_until = ? WHERE id = ?",
            arguments: [member.failedLoginCount, StoredTime.microseconds(member.lockedUntil), staffID]
        )
        return member
    }

    /// A lock that has run out stays on record until the next lock or an unlock.
    func recordSuccessfulLogin(staffID: Int64, at time: Date) throws {
        try db.execute(
            cached: "UPDATE staff SET failed_login_count = 0, last_login_at = ? WHERE id = ?",
            arguments: [StoredTime.microseconds(time), staffID]
        )
        guard db.changesCount == 1 else { throw DomainError.notFound("staff member \(staffID)") }
    }

    private static func staffConditions(facility: FacilityNumber, filter: StaffFilter) -> ([String], StatementArguments) {
        var conditions = ["facility_number = ?", "(? OR disabled = 0)"]
        var arguments: StatementArguments = [facility.rawValue, filter.includeDisabled]
        if let role = filter.role {
            conditions.append("role = ?")
            _ = arguments.append(contentsOf: [role.rawValue])
        }
        return (conditions, arguments)
    }
}
