import Foundation
import GRDB
import LifeCore

extension SQLiteUnitOfWork: DirectoryUnitOfWork {
    func createFacility(_ facility: Facility) throws {
        try mappingConstraints(unique: .alreadyExists("facility \(facility.number)")) {
            try db.execute(
                cached: "INSERT INTO facility (\(Facility.selection)) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [
                    facility.number.rawValue, facility.name, facility.disabled,
                    StoredTime.microseconds(facility.createdAt), StoredTime.microseconds(facility.updatedAt),
                    facility.serviceTypeCodes.joined(separator: " "),
                ]
            )
        }
    }

    func facility(_ number: FacilityNumber) throws -> Facility? {
        try Row.fetchOne(cached: db, sql: "SELECT \(Facility.selection) FROM facility WHERE number = ?", arguments: [number.rawValue])
            .map { try Facility(row: $0, path: path) }
    }

    func facilities(includeDisabled: Bool, after: FacilityNumber?, limit: Int) throws -> [Facility] {
        try Row.fetchAll(
            cached: db,
            sql: "SELECT \(Facility.selection) FROM facility WHERE (? OR disabled = 0) AND number > ? ORDER BY number LIMIT ?",
            arguments: [includeDisabled, after?.rawValue ?? "", limit]
        ).map { try Facility(row: $0, path: path) }
    }

    func countFacilities(includeDisabled: Bool) throws -> Int {
        try Int.fetchOne(cached: db, sql: "SELECT count(*) FROM facility WHERE (? OR disabled = 0)", arguments: [includeDisabled]) ?? 0
    }

    func setFacilityDisabled(_ number: FacilityNumber, disabled: Bool, at time: Date) throws -> Facility {
        try db.execute(
            cached: "UPDATE facility SET disabled = ?, updated_at = ? WHERE number = ?",
            arguments: [disabled, StoredTime.microseconds(time), number.rawValue]
        )
        guard db.changesCount == 1, let stored = try facility(number) else { throw DomainError.notFound("facility \(number)") }
        return stored
    }

    func registerCertificate(_ registration: CertificateRegistration) throws {
        try mappingConstraints(
            unique: .alreadyExists("a registration in force of certificate \(registration.fingerprint)"),
            foreignKey: .notFound("facility \(registration.facility)")
        ) {
            try db.execute(
                cached: "INSERT INTO certificate_registration (\(CertificateRegistration.selection)) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [
                    registration.fingerprint, registration.facility.rawValue, registration.subject,
                    StoredTime.microseconds(registration.notAfter), registration.note,
                    StoredTime.microseconds(registration.registeredAt), StoredTime.microseconds(registration.revokedAt),
                ]
            )
        }
    }

    func certificateRegistrations(
        facility: FacilityNumber?, includeRevoked: Bool, after cursor: CertificateRegistrationCursor?, limit: Int
    ) throws -> [CertificateRegistration] {
        var (conditions, arguments) = Self.registrationConditions(facility: facility, includeRevoked: includeRevoked)
        if let cursor {
            conditions.append("(facility_number, registered_at, fingerprint) > (?, ?, ?)")
            _ = arguments.append(contentsOf: [
                cursor.facility.rawValue, StoredTime.microseconds(cursor.registeredAt), cursor.fingerprint,
            ])
        }
        _ = arguments.append(contentsOf: [limit])
        return try Row.fetchAll(
            cached: db,
            sql: """
                SELECT \(CertificateRegistration.selection) FROM certificate_registration WHERE \(conditions.joined(separator: " AND "))
                ORDER BY facility_number, registered_at, fingerprint LIMIT ?
                """,
            arguments: arguments
        ).map { try CertificateRegistration(row: $0, path: path) }
    }

    func countCertificateRegistrations(facility: FacilityNumber?, includeRevoked: Bool) throws -> Int {
        let (conditions, arguments) = Self.registrationConditions(facility: facility, includeRevoked: includeRevoked)
        return try Int.fetchOne(
            cached: db, sql: "SELECT count(*) FROM certificate_registration WHERE \(conditions.joined(separator: " AND "))",
            arguments: arguments) ?? 0
    }

    func revokeCertificate(fingerprint: String, at time: Date) throws -> CertificateRegistration {
        guard var active = try activeCertificateRegistration(fingerprint: fingerprint) else {
            throw DomainError.notFound("registration in force of certificate \(fingerprint.prefix(64))")
        }
        try db.execute(
            cached: "UPDATE certificate_registration SET revoked_at = ? WHERE fingerprint = ? AND revoked_at IS NULL",
            arguments: [StoredTime.microseconds(time), fingerprint]
        )
        active.revokedAt = StoredTime.normalized(time)
        return active
    }

    func activeCertificateRegistration(fingerprint: String) throws -> CertificateRegistration? {
        try Row.fetchOne(
            cached: db,
            sql: "SELECT \(CertificateRegistration.selection) FROM certificate_registration WHERE fingerprint = ? AND revoked_at IS NULL",
            arguments: [fingerprint]
        ).map { try CertificateRegistration(row: $0, path: path) }
    }

    private static func registrationConditions(facility: FacilityNumber?, includeRevoked: Bool) -> ([String], StatementArguments) {
        var conditions = ["(? OR revoked_at IS NULL)"]
        var arguments: StatementArguments = [includeRevoked]
        if let facility {
            conditions.append("facility_number = ?")
            _ = arguments.append(contentsOf: [facility.rawValue])
        }
        return (conditions, arguments)
    }
}
