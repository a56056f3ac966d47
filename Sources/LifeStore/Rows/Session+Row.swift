import GRDB
import LifeCore

extension Session {
    /// The columns `init(row:path:)` reads.
    static let selection = """
        token_hash, staff_id, facility_number, certificate_fingerprint, created_at, last_seen_at, expires_at, revoked_at
        """

    /// A session from a `session` row.
    init(row: Row, path: String) throws {
        self.init(
            tokenHash: try row.decode(String.self, forColumn: "token_hash"),
            staffID: try row.decode(Int64.self, forColumn: "staff_id"),
            facility: try row.facilityNumber("facility_number", path: path),
            certificateFingerprint: try row.decode(String.self, forColumn: "certificate_fingerprint"),
            createdAt: try row.time("created_at"),
            lastSeenAt: try row.time("last_seen_at"),
            expiresAt: try row.time("expires_at"),
            revokedAt: try row.optionalTime("revoked_at")
        )
    }
}
