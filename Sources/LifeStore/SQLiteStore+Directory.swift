import Foundation
import GRDB
import LifeCore

extension SQLiteStore: DirectoryStore {
    public func createFacility(_ facility: Facility) async throws {
        try await pool.write { db in
            try mappingConstraints(unique: .alreadyExists("facility \(facility.number) already exists")) {
                try db.execute(
                    cached: "INSERT INTO facility (\(Facility.selection)) VALUES (?, ?, ?, ?, ?)",
                    arguments: [
                        facility.number.rawValue, facility.name, facility.disabled,
                        StoredTime.microseconds(facility.createdAt), StoredTime.microseconds(facility.updatedAt),
                    ]
                )
            }
        }
    }

    public func facility(_ number: FacilityNumber) async throws -> Facility? {
        let path = path
        return try await read { db in
            try Row.fetchOne(cached: db, sql: "SELECT \(Facility.selection) FROM facility WHERE number = ?", arguments: [number.rawValue])
                .map { try Facility(row: $0, path: path) }
        }
    }

    public func facilities() async throws -> [Facility] {
        let path = path
        return try await read { db in
            try Row.fetchAll(cached: db, sql: "SELECT \(Facility.selection) FROM facility ORDER BY number")
                .map { try Facility(row: $0, path: path) }
        }
    }

    public func setFacilityDisabled(_ number: FacilityNumber, disabled: Bool, at time: Date) async throws {
        try await pool.write { db in
            try db.execute(
                cached: "UPDATE facility SET disabled = ?, updated_at = ? WHERE number = ?",
                arguments: [disabled, StoredTime.microseconds(time), number.rawValue]
            )
            guard db.changesCount == 1 else { throw DomainError.notFound("facility \(number) not found") }
        }
    }

    public func registerCertificate(_ registration: CertificateRegistration) async throws {
        try await pool.write { db in
            try mappingConstraints(
                unique: .alreadyExists("certificate \(registration.fingerprint) is already registered"),
                foreignKey: .notFound("facility \(registration.facility) not found")
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
    }

    public func certificateRegistrations(facility: FacilityNumber?) async throws -> [CertificateRegistration] {
        let path = path
        return try await read { db in
            let rows: [Row]
            if let facility {
                rows = try Row.fetchAll(
                    cached: db,
                    sql: "SELECT \(CertificateRegistration.selection) FROM certificate_registration WHERE facility_number = ? ORDER BY id",
                    arguments: [facility.rawValue]
                )
            } else {
                rows = try Row.fetchAll(
                    cached: db, sql: "SELECT \(CertificateRegistration.selection) FROM certificate_registration ORDER BY id")
            }
            return try rows.map { try CertificateRegistration(row: $0, path: path) }
        }
    }

    public func revokeCertificate(fingerprint: String, at time: Date) async throws {
        try await pool.write { db in
            try db.execute(
                cached: "UPDATE certificate_registration SET revoked_at = ? WHERE fingerprint = ? AND revoked_at IS NULL",
                arguments: [StoredTime.microseconds(time), fingerprint]
            )
            guard db.changesCount == 1 else {
                throw DomainError.notFound("no registration of certificate \(fingerprint) is in force")
            }
        }
    }

    public func activeCertificateRegistration(fingerprint: String) async throws -> CertificateRegistration? {
        let path = path
        return try await read { db in
            try Row.fetchOne(
                cached: db,
                sql:
                    "SELECT \(CertificateRegistration.selection) FROM certificate_registration WHERE fingerprint = ? AND revoked_at IS NULL",
                arguments: [fingerprint]
            ).map { try CertificateRegistration(row: $0, path: path) }
        }
    }
}
