import Foundation

/// A logged-in staff member on one certificate. The token itself is never stored: only its
/// SHA-256 (`tokenHash`), so a copy of the database lets nobody in.
public struct Session: Sendable, Hashable {
    /// SHA-256 of the 256-bit token, lower-case hex.
    public var tokenHash: String
    public var staffID: Int64
    public var facility: FacilityNumber
    /// The certificate the session was issued under; the token is refused on any other.
    public var certificateFingerprint: String
    public var createdAt: Date
    public var lastSeenAt: Date
    /// Absolute end, whatever the activity.
    public var expiresAt: Date
    public var revokedAt: Date?

    public init(
        tokenHash: String,
        staffID: Int64,
        facility: FacilityNumber,
        certificateFingerprint: String,
        createdAt: Date,
        lastSeenAt: Date,
        expiresAt: Date,
        revokedAt: Date? = nil
    ) {
        self.tokenHash = tokenHash
        self.staffID = staffID
        self.facility = facility
        self.certificateFingerprint = certificateFingerprint
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }
}
