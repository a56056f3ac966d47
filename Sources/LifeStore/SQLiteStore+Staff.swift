import Foundation
import GRDB
import LifeCore

extension SQLiteStore: StaffStore {
    public func createStaffMember(_ member: StaffMember) async throws -> StaffMember {
        let member = member.normalizedForStorage
        return try await pool.write { db in
            try mappingConstraints(
                unique: .alreadyExists("login id \(member.loginID) is already taken in facility \(member.facility)"),
                foreignKey: .notFound("facility \(member.facility) not found")
            ) {
                try db.execute(
                    cached: """
                        INSERT INTO staff (
                            facility_number, login_id, display_name, role, password_hash, must_change_password, disabled,
                            failed_login_count, locked_until, last_login_at, created_at, updated_at
                        ) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: Self.staffArguments(member)
                )
            }
            var stored = member
            stored.id = db.lastInsertedRowID
            return stored
        }
    }

    public func staffMember(facility: FacilityNumber, loginID: String) async throws -> StaffMember? {
        let path = path
        return try await read { db in
            try Row.fetchOne(
                cached: db, sql: "SELECT \(StaffMember.selection) FROM staff WHERE facility_number = ? AND login_id = ?",
                arguments: [facility.rawValue, loginID]
            ).map { try StaffMember(row: $0, path: path) }
        }
    }

    public func staffMember(id: Int64) async throws -> StaffMember? {
        let path = path
        return try await read { db in
            try Self.fetchStaffMember(db, id: id, path: path)
        }
    }

    public func staffMembers(facility: FacilityNumber) async throws -> [StaffMember] {
        let path = path
        return try await read { db in
            try Row.fetchAll(
                cached: db, sql: "SELECT \(StaffMember.selection) FROM staff WHERE facility_number = ? ORDER BY login_id",
                arguments: [facility.rawValue]
            ).map { try StaffMember(row: $0, path: path) }
        }
    }

    /// Replaces every column but `id` with the member's values, lock state included (that is how
    /// an admin unlocks).
    /// Writes the account fields (display name, role, password hash, must-change flag, disabled,
    /// updated time). Login bookkeeping — failure count, lock, last login — is not written here,
    /// so a read-modify-write of a member cannot undo failures counted meanwhile.
    public func updateStaffProfile(staffID: Int64, displayName: String, role: StaffRole, at time: Date) async throws -> StaffMember {
        try await updateStaff(
            staffID, set: "display_name = ?, role = ?", [displayName, role.rawValue], at: time)
    }

    public func setStaffDisabled(staffID: Int64, disabled: Bool, at time: Date) async throws -> StaffMember {
        try await updateStaff(staffID, set: "disabled = ?", [disabled], at: time)
    }

    public func replacePassword(staffID: Int64, expectedHash: String, newHash: String, mustChange: Bool, at time: Date) async throws
        -> StaffMember
    {
        try await updateStaff(
            staffID, set: "password_hash = ?, must_change_password = ?", [newHash, mustChange], at: time, expectedHash: expectedHash)
    }

    /// One UPDATE of the named columns (and updated_at) of one member, optionally only while its
    /// password hash is still `expectedHash`; returns the member as stored.
    private func updateStaff(
        _ id: Int64, set assignments: String, _ values: StatementArguments, at time: Date, expectedHash: String? = nil
    ) async throws -> StaffMember {
        let path = path
        var arguments = values
        let stamp: Int64 = StoredTime.microseconds(time)
        _ = arguments.append(contentsOf: [stamp, id])
        var sql = "UPDATE staff SET \(assignments), updated_at = ? WHERE id = ?"
        if let expectedHash {
            sql += " AND password_hash = ?"
            _ = arguments.append(contentsOf: [expectedHash])
        }
        return try await pool.write { [arguments, sql] db in
            try db.execute(cached: sql, arguments: arguments)
            guard db.changesCount == 1 else {
                guard try Self.fetchStaffMember(db, id: id, path: path) != nil else {
                    throw DomainError.notFound("staff member \(id) not found")
                }
                throw DomainError.versionConflict("the password was changed meanwhile; try again")
            }
            guard let stored = try Self.fetchStaffMember(db, id: id, path: path) else {
                throw DomainError.notFound("staff member \(id) not found")
            }
            return stored
        }
    }

    public func unlockStaffMember(staffID: Int64, at time: Date) async throws {
        try await pool.write { db in
            try db.execute(
                cached: "UPDATE staff SET failed_login_count = 0, locked_until = NULL, updated_at = ? WHERE id = ?",
                arguments: [StoredTime.microseconds(time), staffID]
            )
            guard db.changesCount == 1 else { throw DomainError.notFound("staff member \(staffID) not found") }
        }
    }

    /// Reads, counts and (on reaching `lockAfter`) locks in one IMMEDIATE transaction, so
    /// concurrent failures are each counted once. `lockAfter` below 1 never locks.
    /// `updated_at` is left alone: it tracks changes to the account, not login bookkeeping.
    public func recordFailedLogin(staffID: Int64, at time: Date, lockAfter: Int, lockDuration: Duration) async throws -> StaffMember {
        let path = path
        return try await pool.write { db in
            guard var member = try Self.fetchStaffMember(db, id: staffID, path: path) else {
                throw DomainError.notFound("staff member \(staffID) not found")
            }
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
    }

    /// Clears the failure count and records the login time; a lock that has run out stays on
    /// record until the next lock or an admin's update.
    public func recordSuccessfulLogin(staffID: Int64, at time: Date) async throws {
        try await pool.write { db in
            try db.execute(
                cached: "UPDATE staff SET failed_login_count = 0, last_login_at = ? WHERE id = ?",
                arguments: [StoredTime.microseconds(time), staffID]
            )
            guard db.changesCount == 1 else { throw DomainError.notFound("staff member \(staffID) not found") }
        }
    }

    /// One member by id, inside an open access.
    static func fetchStaffMember(_ db: Database, id: Int64, path: String) throws -> StaffMember? {
        try Row.fetchOne(cached: db, sql: "SELECT \(StaffMember.selection) FROM staff WHERE id = ?", arguments: [id])
            .map { try StaffMember(row: $0, path: path) }
    }

    /// The member's columns in the order of the INSERT and UPDATE above (everything but `id`).
    private static func staffArguments(_ member: StaffMember) -> StatementArguments {
        [
            member.facility.rawValue, member.loginID, member.displayName, member.role.rawValue, member.passwordHash,
            member.mustChangePassword, member.disabled, member.failedLoginCount,
            StoredTime.microseconds(member.lockedUntil), StoredTime.microseconds(member.lastLoginAt),
            StoredTime.microseconds(member.createdAt), StoredTime.microseconds(member.updatedAt),
        ]
    }
}
