/// The qualification registry as the check reads it: which insurers participate, and what the
/// registry holds about one insured person. The copy kept in the daemon's storage is one
/// implementation (the storage's unit of work); a client of the remote platform, or a cache of
/// it, can be another: the use cases reach it only through this protocol.
public protocol EligibilityRegistry {
    /// The insurer, if it ever joined the platform (whether it participates depends on the day).
    func participatingInsurer(_ insurer: InsurerNumber) throws -> ParticipatingInsurer?
    /// Every record of that insured person of that insurer, whatever its validity period.
    func qualificationRecords(insurer: InsurerNumber, insured: InsuredNumber) throws -> [QualificationRecord]
    /// A number raised by every change of the registry, stored with each result.
    func registryRevision() throws -> Int64
}
