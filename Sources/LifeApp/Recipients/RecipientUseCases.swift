import Foundation
import LifeCore

/// Create, read, list, update and delete a facility's recipients on behalf of its staff. Each
/// call is one unit of work: the version-checked row change, its eligibility check, its
/// change-log entry and its audit record commit together; a read commits its audit record before
/// it answers. A create or update is never refused for what the check finds: the result is
/// stored with the record. Everything is scoped to the principal's facility: another facility's
/// record is NOT_FOUND.
public struct RecipientUseCases: Sendable {
    private let store: any TransactionalStore
    private let clock: any WallClock
    private let serviceTypes: ServiceTypeTable
    private let tokens: PageTokenCodec
    private let makeID: @Sendable () -> String
    private let signal: ChangeSignal
    private let verifier: EligibilityVerifier

    public init(
        store: any TransactionalStore,
        clock: any WallClock = SystemClock(),
        serviceTypes: ServiceTypeTable = .standard,
        tokens: PageTokenCodec = PageTokenCodec(),
        signal: ChangeSignal = ChangeSignal(),
        verifier: EligibilityVerifier = EligibilityVerifier(),
        makeID: @escaping @Sendable () -> String = { UUID().uuidString.lowercased() }
    ) {
        self.signal = signal
        self.verifier = verifier
        self.store = store
        self.clock = clock
        self.serviceTypes = serviceTypes
        self.tokens = tokens
        self.makeID = makeID
    }

    public func create(_ principal: StaffPrincipal, _ draft: RecipientDraft) async throws -> Recipient {
        let now = clock.now().microsecondPrecision
        let fields = try draft.validated(today: CalendarDate(day: now), serviceTypes: serviceTypes)
        let verifier = self.verifier
        let new = Recipient(
            id: makeID(), facility: principal.facility, fields: fields, version: 1, createdAt: now, updatedAt: now,
            updatedBy: principal.loginID)
        let (recipient, sequence) = try await store.unitOfWork { unit in
            var recipient = new
            recipient.verification = try verifier.result(of: fields, version: 1, at: now, in: unit)
            try unit.insert(recipient)
            let sequence = try unit.appendChange(change(recipient, .created, principal, now))
            try unit.appendAudit(principal.auditEvent(time: now, target: Self.target(recipient.id)))
            return (recipient, sequence)
        }
        signal.advance(principal.facility, to: sequence)
        return recipient
    }

    public func get(_ principal: StaffPrincipal, id: String) async throws -> RecipientRecord {
        let now = clock.now().microsecondPrecision
        return try await store.unitOfWork { unit in
            guard let record = try unit.record(id: id, facility: principal.facility) else { throw Self.notFound }
            try unit.appendAudit(principal.auditEvent(time: now, target: Self.target(id)))
            return record
        }
    }

    public func list(_ principal: StaffPrincipal, _ query: RecipientQuery) async throws -> RecipientPage {
        let size = query.pageSize == 0 ? 50 : query.pageSize
        guard (1...500).contains(size) else {
            throw DomainError.invalidField(field: "page.page_size", reason: "RANGE", message: "page_size must be 0…500")
        }
        let scope = principal.facility.rawValue + "\u{1E}" + query.filter.canonicalDescription
        let cursor = try query.pageToken.isEmpty ? nil : tokens.decode(query.pageToken, scope: scope)
        let now = clock.now().microsecondPrecision
        let tokens = self.tokens
        return try await store.unitOfWork { unit in
            // Valid and flagged records are kept apart; a page merges the two ordered runs.
            let valid = try unit.recipients(facility: principal.facility, filter: query.filter, after: cursor, limit: size + 1)
            let flagged = try unit.flaggedRecipients(facility: principal.facility, filter: query.filter, after: cursor, limit: size + 1)
            let rows = (valid.map(RecipientRecord.valid) + flagged.map(RecipientRecord.needsCorrection)).sorted { $0.cursor < $1.cursor }
            let page = Array(rows.prefix(size))
            let next = rows.count > size ? page.last.map { tokens.encode($0.cursor, scope: scope) } : nil
            let result = RecipientPage(
                recipients: page, nextPageToken: next ?? "",
                totalSize: try unit.countRecipients(facility: principal.facility, filter: query.filter)
                    + unit.countFlaggedRecipients(facility: principal.facility, filter: query.filter),
                changeSequence: try unit.latestChangeSequence())
            // Which records were read: their ids, never their contents.
            try unit.appendAudit(principal.auditEvent(time: now, target: "recipients:" + page.map(\.id).joined(separator: ",")))
            return result
        }
    }

    public func update(_ principal: StaffPrincipal, id: String, _ draft: RecipientDraft, expectedVersion: Int64) async throws -> Recipient {
        let now = clock.now().microsecondPrecision
        let fields = try draft.validated(today: CalendarDate(day: now), serviceTypes: serviceTypes)
        let verifier = self.verifier
        let (recipient, sequence) = try await store.unitOfWork { unit in
            guard let stored = try unit.record(id: id, facility: principal.facility) else { throw Self.notFound }
            guard stored.version == expectedVersion else { throw Self.stale(stored.version) }
            var recipient: Recipient
            switch stored {
            case .valid(let valid): recipient = valid
            case .needsCorrection(let flagged):
                // Valid fields at last: the record leaves the flagged table under the same id.
                try unit.delete(stored)
                recipient = Recipient(
                    id: id, facility: principal.facility, fields: fields, version: expectedVersion, createdAt: flagged.createdAt,
                    updatedAt: now, updatedBy: principal.loginID, legacyID: flagged.legacyID)
                try unit.insert(recipient)
            }
            recipient.fields = fields
            recipient.version += 1
            recipient.updatedAt = now
            recipient.updatedBy = principal.loginID
            recipient.verification = try verifier.result(of: fields, version: recipient.version, at: now, in: unit)
            try unit.replace(recipient, expectedVersion: expectedVersion)
            let sequence = try unit.appendChange(change(recipient, .updated, principal, now))
            try unit.appendAudit(principal.auditEvent(time: now, target: Self.target(id)))
            return (recipient, sequence)
        }
        signal.advance(principal.facility, to: sequence)
        return recipient
    }

    public func delete(_ principal: StaffPrincipal, id: String, expectedVersion: Int64) async throws {
        let now = clock.now().microsecondPrecision
        let sequence = try await store.unitOfWork { unit in
            guard let stored = try unit.record(id: id, facility: principal.facility) else { throw Self.notFound }
            guard stored.version == expectedVersion else { throw Self.stale(stored.version) }
            try unit.delete(stored)
            let sequence = try unit.appendChange(
                RecipientChange(
                    facility: principal.facility, recipientID: id, kind: .deleted, version: expectedVersion, time: now,
                    changedBy: principal.loginID))
            try unit.appendAudit(principal.auditEvent(time: now, target: Self.target(id)))
            return sequence
        }
        signal.advance(principal.facility, to: sequence)
    }

    /// Sends `deliver` every change of the principal's facility after `after` (0: from now on),
    /// in commit order, then each new one as it commits, until the task is cancelled or the
    /// server shuts down. Each batch sent is audited with the ids it carried. Throws
    /// `outOfRange` when the change log no longer reaches back to `after`.
    public func watch(
        _ principal: StaffPrincipal, after: Int64, deliver: @Sendable (RecipientChangeEvent) async throws -> Void
    ) async throws {
        guard after >= 0 else {
            throw DomainError.invalidField(field: "after_sequence", reason: "RANGE", message: "after_sequence must not be negative")
        }
        var cursor = try await store.unitOfWork { unit -> Int64 in
            let pruned = try unit.prunedThrough()
            if after > 0, after < pruned {
                throw DomainError.outOfRange(
                    "changes up to \(pruned) are no longer kept (after_sequence \(after)); list the recipients again and watch from the list's change_sequence"
                )
            }
            return after > 0 ? after : try unit.latestChangeSequence()
        }
        while !Task.isCancelled, !signal.isClosed {
            let now = clock.now().microsecondPrecision
            let from = cursor
            let batch = try await store.unitOfWork { unit -> [RecipientChangeEvent] in
                let changes = try unit.changes(facility: principal.facility, after: from, limit: 256)
                guard !changes.isEmpty else { return [] }
                let events = try changes.map { change in
                    RecipientChangeEvent(
                        change: change, recipient: try unit.record(id: change.recipientID, facility: principal.facility))
                }
                try unit.appendAudit(
                    principal.auditEvent(time: now, target: "recipients:" + events.compactMap { $0.recipient?.id }.joined(separator: ",")))
                return events
            }
            for event in batch {
                try await deliver(event)
                cursor = event.change.sequence
            }
            if batch.isEmpty { await signal.wait(for: principal.facility, after: cursor) }
        }
    }

    private func change(_ recipient: Recipient, _ kind: RecipientChange.Kind, _ principal: StaffPrincipal, _ now: Date) -> RecipientChange {
        RecipientChange(
            facility: recipient.facility, recipientID: recipient.id, kind: kind, version: recipient.version, time: now,
            changedBy: principal.loginID)
    }

    /// How the audit log names a recipient: by id, never by content.
    public static func target(_ id: String) -> String { "recipient:" + id.prefix(utf8Bytes: 64) }

    static let notFound = DomainError.notFound("recipient")

    static func stale(_ stored: Int64) -> DomainError {
        .versionConflict("the recipient was changed by someone else (stored version \(stored)); read it again")
    }
}
