import Foundation
import LifeCore

/// Applies parsed rows of a migration file to one unit of work (or, in a dry run, only works
/// out what it would do): creates what is new, updates what changed since the last import
/// unless the record changed here since, leaves the rest. Each record written is audited and a
/// recipient's change goes to the change log.
struct LegacyRowApplier: Sendable {
    /// One row's outcome.
    enum Outcome: Sendable {
        /// `corrections`: why the record is stored needing correction; empty when it is valid.
        case created(corrections: [FieldViolation])
        case updated(corrections: [FieldViolation])
        case unchanged
        case conflict(String)
        case rejected(column: String, reason: String)
    }

    static let changedBy = "(migration)"

    let admin: OperatorPrincipal
    let now: Date
    let serviceTypes: ServiceTypeTable
    let verifier: EligibilityVerifier
    let dryRun: Bool
    let makeID: @Sendable () -> String

    func apply(_ row: LegacyRowParser.FacilityRow, in unit: any UnitOfWork) throws -> Outcome {
        guard let stored = try unit.facility(row.number) else {
            if !dryRun {
                try unit.createFacility(
                    Facility(number: row.number, name: row.name, createdAt: now, updatedAt: now, serviceTypeCodes: row.serviceTypeCodes))
                try audit("facility:\(row.number)", line: row.line, "created", in: unit)
            }
            return .created(corrections: [])
        }
        guard stored.name != row.name || stored.serviceTypeCodes != row.serviceTypeCodes else { return .unchanged }
        if !dryRun {
            try unit.updateFacility(row.number, name: row.name, serviceTypeCodes: row.serviceTypeCodes, at: now)
            try audit("facility:\(row.number)", line: row.line, "updated", in: unit)
        }
        return .updated(corrections: [])
    }

    /// `sequence` hears the change-log number of a recipient written.
    func apply(_ row: LegacyRowParser.RecipientRow, in unit: any UnitOfWork, sequence: (Int64) -> Void) throws -> Outcome {
        guard try unit.facility(row.facility) != nil else {
            return .rejected(
                column: "facility_number", reason: "facility \(row.facility) is not registered; import the facilities file first")
        }
        let entry = try unit.legacyImport(facility: row.facility, legacyID: row.legacyID)
        if let entry, entry.rowDigest == row.digest { return .unchanged }
        let stored = try entry.flatMap { try unit.record(id: $0.recipientID, facility: row.facility) }
        if let entry {
            guard let stored else { return .conflict("the record was deleted in this system after it was imported; not created again") }
            guard stored.version == entry.importedVersion else {
                return .conflict(
                    "the record was changed in this system after it was imported (version \(stored.version), imported as \(entry.importedVersion)); not overwritten"
                )
            }
        }
        let id = stored?.id ?? makeID()
        let version = (stored?.version ?? 0) + 1
        let content = try validated(row, id: id, in: unit)
        let outcome: Outcome = stored == nil ? .created(corrections: content.corrections) : .updated(corrections: content.corrections)
        if dryRun { return outcome }

        if let stored { try unit.delete(stored) }
        let createdAt = stored?.createdAt ?? now
        switch content {
        case .valid(let fields):
            var recipient = Recipient(
                id: id, facility: row.facility, fields: fields, version: version, createdAt: createdAt, updatedAt: now,
                updatedBy: Self.changedBy, legacyID: row.legacyID)
            recipient.verification = try verifier.result(of: fields, version: version, at: now, in: unit)
            try unit.insert(recipient)
        case .flagged(let violations):
            try unit.insertFlagged(
                FlaggedRecipient(
                    id: id, facility: row.facility, draft: row.draft, violations: violations, legacyID: row.legacyID, version: version,
                    createdAt: createdAt, updatedAt: now, updatedBy: Self.changedBy))
        }
        sequence(
            try unit.appendChange(
                RecipientChange(
                    facility: row.facility, recipientID: id, kind: stored == nil ? .created : .updated, version: version, time: now,
                    changedBy: Self.changedBy)))
        try unit.saveLegacyImport(
            LegacyImportEntry(
                facility: row.facility, legacyID: row.legacyID, recipientID: id, rowDigest: row.digest, importedVersion: version))
        let what = (stored == nil ? "created" : "updated") + (content.corrections.isEmpty ? "" : ", needs correction")
        try audit(RecipientUseCases.target(id), line: row.line, what, in: unit)
        return outcome
    }

    private enum Content {
        case valid(RecipientFields)
        case flagged([FieldViolation])

        var corrections: [FieldViolation] {
            if case .flagged(let violations) = self { return violations }
            return []
        }
    }

    /// The row's fields when today's rules accept them and no other record of the facility has
    /// the same insurer and insured number; otherwise why not.
    private func validated(_ row: LegacyRowParser.RecipientRow, id: String, in unit: any UnitOfWork) throws -> Content {
        let fields: RecipientFields
        do {
            fields = try row.draft.validated(today: CalendarDate(day: now), serviceTypes: serviceTypes)
        } catch {
            return .flagged(error.fieldViolations)
        }
        let filter = RecipientFilter(insurerNumber: fields.insurerNumber.rawValue, insuredNumber: fields.insuredNumber.rawValue)
        if try unit.recipients(facility: row.facility, filter: filter, after: nil, limit: 2).contains(where: { $0.id != id }) {
            return .flagged([
                FieldViolation(
                    field: "recipient.insured_number", reason: "DUPLICATE",
                    message: "another recipient of the facility has the same 保険者番号 and 被保険者番号")
            ])
        }
        return .valid(fields)
    }

    private func audit(_ target: String, line: Int64, _ what: String, in unit: any UnitOfWork) throws {
        try unit.appendAudit(admin.auditEvent(time: now, target: target, result: "OK", reason: "migration import line \(line): \(what)"))
    }
}
