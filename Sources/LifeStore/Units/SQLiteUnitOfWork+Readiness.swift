import Foundation
import GRDB
import LifeCore

extension SQLiteUnitOfWork: ReadinessUnitOfWork {
    func recordSighting(_ sighting: CertificateSighting) throws {
        let time = StoredTime.microseconds(sighting.time)
        try db.execute(
            cached: """
                INSERT INTO certificate_sighting (fingerprint, facility_number, not_after, first_seen_at, last_seen_at)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (fingerprint) DO UPDATE SET
                    facility_number = excluded.facility_number, not_after = excluded.not_after, last_seen_at = excluded.last_seen_at
                """,
            arguments: [sighting.fingerprint, sighting.facility.rawValue, StoredTime.microseconds(sighting.notAfter), time, time])
    }

    func recordCertificateLogin(fingerprint: String, facility: FacilityNumber, at time: Date) throws {
        let stored = StoredTime.microseconds(time)
        try db.execute(
            cached: """
                INSERT INTO certificate_sighting (fingerprint, facility_number, not_after, first_seen_at, last_seen_at, last_login_at)
                VALUES (?, ?, NULL, ?, ?, ?)
                ON CONFLICT (fingerprint) DO UPDATE SET
                    facility_number = excluded.facility_number, last_seen_at = excluded.last_seen_at, last_login_at = excluded.last_login_at
                """,
            arguments: [fingerprint, facility.rawValue, stored, stored, stored])
    }

    func facilityReadiness(after: FacilityNumber?, limit: Int) throws -> [FacilityReadiness] {
        try Row.fetchAll(
            cached: db,
            sql: """
                SELECT f.number, f.name, count(s.fingerprint), max(s.last_seen_at), max(s.last_login_at), max(s.not_after)
                FROM facility f LEFT JOIN certificate_sighting s ON s.facility_number = f.number
                WHERE f.disabled = 0 AND f.number > ?
                GROUP BY f.number ORDER BY f.number LIMIT ?
                """,
            arguments: [after?.rawValue ?? "", limit]
        ).map { row in
            FacilityReadiness(
                facility: try row.facilityNumber("number", path: path), name: try row.decode(String.self, atIndex: 1),
                certificateCount: try row.decode(Int.self, atIndex: 2),
                lastSeenAt: try row.decode(Int64?.self, atIndex: 3).map(StoredTime.date),
                lastLoginAt: try row.decode(Int64?.self, atIndex: 4).map(StoredTime.date),
                notAfter: try row.decode(Int64?.self, atIndex: 5).map(StoredTime.date))
        }
    }
}
