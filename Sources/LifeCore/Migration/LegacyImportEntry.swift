/// What an import from the old system last did with one old-system record: which record it
/// became, the digest of the row it was written from, and the version it wrote. A later row
/// with the same digest changes nothing; a changed row is applied only while the record is still
/// at `importedVersion` (nobody changed it here since).
public struct LegacyImportEntry: Sendable, Hashable {
    public var facility: FacilityNumber
    public var legacyID: String
    public var recipientID: String
    /// SHA-256 of the row's values, lower-case hex.
    public var rowDigest: String
    public var importedVersion: Int64

    public init(facility: FacilityNumber, legacyID: String, recipientID: String, rowDigest: String, importedVersion: Int64) {
        self.facility = facility
        self.legacyID = legacyID
        self.recipientID = recipientID
        self.rowDigest = rowDigest
        self.importedVersion = importedVersion
    }
}
