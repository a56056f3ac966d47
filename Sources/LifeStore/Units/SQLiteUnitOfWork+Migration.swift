import Foundation
import GRDB
import LifeCore

extension SQLiteUnitOfWork {
    func legacyImport(facility: FacilityNumber, legacyID: String) throws -> LegacyImportEntry? {
        try Row.fetchOne(
            cached: db,
            sql: """
                SELECT recipient_id, row_digest, imported_version FROM legacy_import WHERE facility_number = ? AND legacy_id = ?
                """,
            arguments: [facility.rawValue, legacyID]
        ).map { row in
            LegacyImportEntry(
                facility: facility, legacyID: legacyID, recipientID: try row.decode(String.self, forColumn: "recipient_id"),
                rowDigest: try row.decode(String.self, forColumn: "row_digest"),
                importedVersion: try row.decode(Int64.self, forColumn: "imported_version"))
        }
    }

    func saveLegacyImport(_ entry: LegacyImportEntry) throws {
        try db.execute(
            cached: """
                INSERT INTO legacy_import (facility_number, legacy_id, recipient_id, row_digest, imported_version) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (facility_number, legacy_id) DO UPDATE SET
                    recipient_id = excluded.recipient_id, row_digest = excluded.row_digest, imported_version = excluded.imported_version
                """,
            arguments: [entry.facility.rawValue, entry.legacyID, entry.recipientID, entry.rowDigest, entry.importedVersion])
    }

    func updateFacility(_ number: FacilityNumber, name: String, serviceTypeCodes: [String], at time: Date) throws {
        try db.execute(
            cached: "UPDATE facility SET name = ?, service_type_codes = ?, updated_at = ? WHERE number = ?",
            arguments: [name, serviceTypeCodes.joined(separator: " "), StoredTime.microseconds(time), number.rawValue])
        if db.changesCount == 0 { throw DomainError.notFound("facility \(number)") }
    }
}
