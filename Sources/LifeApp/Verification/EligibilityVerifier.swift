import Foundation
import LifeCore

/// Runs the eligibility check inside a unit of work and makes the result to store. Which
/// registry it reads is chosen once, where the daemon is put together: by default the copy in
/// the same storage (the unit itself), so a result and the registry revision it names are
/// consistent with every other write.
public struct EligibilityVerifier: Sendable {
    private let registry: @Sendable (any UnitOfWork) -> any EligibilityRegistry

    public init(registry: @escaping @Sendable (any UnitOfWork) -> any EligibilityRegistry = { $0 }) {
        self.registry = registry
    }

    /// The result of checking `fields` (of a recipient at `version`) on the day `now` falls on in
    /// Japan.
    public func result(of fields: RecipientFields, version: Int64, at now: Date, in unit: any UnitOfWork) throws -> VerificationResult {
        let registry = self.registry(unit)
        return try Self.check(fields, version: version, at: now, in: registry, revision: try registry.registryRevision())
    }

    /// The results of checking `recipients` on the day `now` falls on, against one registry
    /// revision read once for all of them.
    public func results(of recipients: [Recipient], at now: Date, in unit: any UnitOfWork) throws -> [(Recipient, VerificationResult)] {
        let registry = self.registry(unit)
        let revision = try registry.registryRevision()
        return try recipients.map { recipient in
            (recipient, try Self.check(recipient.fields, version: recipient.version, at: now, in: registry, revision: revision))
        }
    }

    private static func check(
        _ fields: RecipientFields, version: Int64, at now: Date, in registry: any EligibilityRegistry, revision: Int64
    ) throws -> VerificationResult {
        let day = CalendarDate(day: now)
        return VerificationResult(
            outcome: try EligibilityCheck.check(fields, on: day, in: registry), checkedAt: now, checkedOn: day, recipientVersion: version,
            registryRevision: revision)
    }
}
