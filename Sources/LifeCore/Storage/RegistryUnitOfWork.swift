import Foundation

/// The stored copy of the qualification registry: participating insurers, and qualification
/// records kept per insurer in generations. An import writes a new generation beside the one in
/// force, in as many units as it needs, then makes it current for the insurers that changed in
/// one unit; generations no longer current are garbage, deleted a chunk at a time.
public protocol RegistryUnitOfWork: EligibilityRegistry {
    /// Throws `alreadyExists` when the insurer is present (participating or not).
    func insertInsurer(_ insurer: ParticipatingInsurer) throws
    /// Writes joined/left days and name of a present insurer. Throws `notFound`.
    func updateInsurer(_ insurer: ParticipatingInsurer) throws
    /// Up to `limit` insurers ordered by number, after `after`.
    func insurers(after: InsurerNumber?, limit: Int) throws -> [ParticipatingInsurer]
    func countInsurers() throws -> Int
    /// Raises the revision by one; returns the new one.
    @discardableResult
    func raiseRegistryRevision() throws -> Int64

    /// A generation number never used before, registered as staging until published or dropped.
    func beginGeneration() throws -> Int64
    /// Adds records to a staging generation. A record whose insurer, insured number and
    /// valid_from are already staged is not added: returned with the line of the staged one,
    /// and whether it is the same record.
    func stage(_ records: [StagedRecord], generation: Int64) throws -> [StagingConflict]
    /// The digest of the insurer's records in force, nil when it has none.
    func currentDigest(of insurer: InsurerNumber) throws -> RegistryDigest?
    /// Makes `generation` the insurer's records in force; the previous generation becomes garbage.
    func publish(insurer: InsurerNumber, generation: Int64, digest: RegistryDigest, at time: Date) throws
    /// Marks a generation's records garbage: of one insurer, or all of them (nil).
    func discard(generation: Int64, insurer: InsurerNumber?) throws
    /// The generation is no longer staging (published or discarded).
    func endStaging(generation: Int64) throws
    /// Every generation still staging (an import stopped with the daemon) becomes garbage.
    func discardAbandonedStaging() throws
    /// Deletes up to `limit` garbage records; returns whether garbage is left.
    func collectRegistryGarbage(limit: Int) throws -> Bool
    /// Counts; whether an insurer participates is judged on `day`.
    func registryCounts(on day: CalendarDate) throws -> RegistryCounts
}

/// A record read from an import file, with its line for error reports.
public struct StagedRecord: Sendable, Hashable {
    public var record: QualificationRecord
    public var line: Int64

    public init(record: QualificationRecord, line: Int64) {
        self.record = record
        self.line = line
    }
}

/// A staged record that repeats an earlier one's key.
public struct StagingConflict: Sendable, Hashable {
    public var line: Int64
    public var earlierLine: Int64
    /// The earlier record is the same in every field: a harmless repeat.
    public var identical: Bool

    public init(line: Int64, earlierLine: Int64, identical: Bool) {
        self.line = line
        self.earlierLine = earlierLine
        self.identical = identical
    }
}

/// What the registry holds, for `lifectl registry status`.
public struct RegistryCounts: Sendable, Hashable {
    public var participatingInsurers: Int
    public var leftInsurers: Int
    public var records: Int64
    public var insurersWithRecords: Int
    public var revision: Int64
    public var lastImportAt: Date?

    public init(
        participatingInsurers: Int, leftInsurers: Int, records: Int64, insurersWithRecords: Int, revision: Int64, lastImportAt: Date?
    ) {
        self.participatingInsurers = participatingInsurers
        self.leftInsurers = leftInsurers
        self.records = records
        self.insurersWithRecords = insurersWithRecords
        self.revision = revision
        self.lastImportAt = lastImportAt
    }
}
