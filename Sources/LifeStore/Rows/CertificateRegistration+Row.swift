import GRDB
import LifeCore

extension CertificateRegistration {
    /// The columns `init(row:path:)` reads.
    static let selection = "fingerprint, facility_number, subject, not_after, note, registered_at, revoked_at"

    /// A registration from a `certificate_registration` row.
    init(row: Row, path: String) throws {
        self.init(
            fingerprint: try row.decode(String.self, forColumn: "fingerprint"),
            facility: try row.facilityNumber("facility_number", path: path),
            subject: try row.decode(String.self, forColumn: "subject"),
            notAfter: try row.optionalTime("not_after"),
            note: try row.decode(String.self, forColumn: "note"),
            registeredAt: try row.time("registered_at"),
            revokedAt: try row.optionalTime("revoked_at")
        )
    }
}
