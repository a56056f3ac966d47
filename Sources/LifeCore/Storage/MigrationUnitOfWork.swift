import Foundation

/// What a migration import from the old system remembers between runs.
public protocol MigrationUnitOfWork {
    /// What the last import stored for the old-system record `legacyID` of `facility`, or nil.
    func legacyImport(facility: FacilityNumber, legacyID: String) throws -> LegacyImportEntry?
    /// Stores `entry`, replacing the one for the same facility and old-system id.
    func saveLegacyImport(_ entry: LegacyImportEntry) throws
    /// Sets a facility's name and service type codes (`updatedAt` too); throws `notFound`.
    func updateFacility(_ number: FacilityNumber, name: String, serviceTypeCodes: [String], at time: Date) throws
}
