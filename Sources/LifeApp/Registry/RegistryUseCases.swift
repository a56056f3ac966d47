import Foundation
import LifeCore
import Logging

/// What the local operator does with the qualification registry: insurers joining and leaving
/// the platform, importing qualification records, and watching the re-checks these start. Every
/// change is audited in the unit of work that makes it, and queues a bulk re-check of the
/// recipients it can affect (every facility), which `VerificationJobRunner` runs.
public struct RegistryUseCases: Sendable {
    private let store: any TransactionalStore
    private let runner: VerificationJobRunner
    private let clock: any WallClock
    private let tokens: PageTokenCodec
    private let makeID: @Sendable () -> String

    public init(
        store: any TransactionalStore, runner: VerificationJobRunner, clock: any WallClock = SystemClock(),
        tokens: PageTokenCodec = PageTokenCodec(), makeID: @escaping @Sendable () -> String = { UUID().uuidString.lowercased() }
    ) {
        self.store = store
        self.runner = runner
        self.clock = clock
        self.tokens = tokens
        self.makeID = makeID
    }

    /// Records that the insurer joined on `joinedOn` (today when nil); an insurer that left joins
    /// again. Queues the re-check of its recipients.
    public func join(_ admin: OperatorPrincipal, insurer: InsurerNumber, name: String, joinedOn: CalendarDate?) async throws
        -> (ParticipatingInsurer, VerificationJob)
    {
        let now = clock.now().microsecondPrecision
        let today = CalendarDate(day: now)
        let joinedOn = joinedOn ?? today
        guard joinedOn <= today else {
            throw DomainError.invalidField(
                field: "insurer.joined_on", reason: "RANGE", message: "joined_on is after today: record a join on the day it takes effect")
        }
        let name = name.trimmingCharacters(in: .whitespaces)
        guard name.count <= 200, !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw DomainError.invalidField(field: "insurer.name", reason: "FORMAT", message: "insurer name must be at most 200 characters")
        }
        let job = newJob(.insurerJoined, VerificationScope(insurers: [insurer]), now)
        let stored = try await store.unitOfWork { unit in
            var joined = ParticipatingInsurer(insurerNumber: insurer, name: name, joinedOn: joinedOn, createdAt: now)
            if let present = try unit.participatingInsurer(insurer) {
                guard present.leftOn.map({ $0 <= today }) ?? false else {
                    throw DomainError.alreadyExists("participating insurer \(insurer)")
                }
                joined.createdAt = present.createdAt
                try unit.updateInsurer(joined)
            } else {
                try unit.insertInsurer(joined)
            }
            try unit.raiseRegistryRevision()
            try unit.insertJob(job)
            try unit.appendAudit(admin.auditEvent(time: now, target: Self.target(insurer)))
            return joined
        }
        runner.notify()
        return (stored, job)
    }

    /// Records that the insurer left on `leftOn` (today when nil). Queues the re-check of its
    /// recipients, which become not checked.
    public func leave(_ admin: OperatorPrincipal, insurer: InsurerNumber, leftOn: CalendarDate?) async throws
        -> (ParticipatingInsurer, VerificationJob)
    {
        let now = clock.now().microsecondPrecision
        let today = CalendarDate(day: now)
        let leftOn = leftOn ?? today
        guard leftOn <= today else {
            throw DomainError.invalidField(
                field: "left_on", reason: "RANGE", message: "left_on is after today: record a leave on the day it takes effect")
        }
        let job = newJob(.insurerLeft, VerificationScope(insurers: [insurer]), now)
        let stored = try await store.unitOfWork { unit in
            guard var present = try unit.participatingInsurer(insurer) else {
                throw DomainError.notFound("participating insurer \(insurer)")
            }
            guard present.leftOn == nil else {
                throw DomainError.failedPrecondition("insurer \(insurer) left on \(present.leftOn!) already")
            }
            guard present.joinedOn <= leftOn else {
                throw DomainError.invalidField(
                    field: "left_on", reason: "RANGE", message: "left_on is before joined_on \(present.joinedOn)")
            }
            present.leftOn = leftOn
            try unit.updateInsurer(present)
            try unit.raiseRegistryRevision()
            try unit.insertJob(job)
            try unit.appendAudit(admin.auditEvent(time: now, target: Self.target(insurer)))
            return present
        }
        runner.notify()
        return (stored, job)
    }

    /// Insurers in number order, paged in storage.
    public func insurers(_ admin: OperatorPrincipal, page: PageRequest) async throws -> Page<ParticipatingInsurer> {
        let size = try page.resolvedSize()
        let scope = "insurers"
        let after = try page.token.isEmpty ? nil : InsurerNumber(tokens.decode(payload: page.token, scope: scope), field: "page.page_token")
        let (tokens, now) = (tokens, clock.now())
        return try await store.unitOfWork { unit in
            let found = try unit.insurers(after: after, limit: size + 1)
            try unit.appendAudit(admin.auditEvent(time: now, target: "insurers"))
            return Page(found: found, size: size, totalSize: try unit.countInsurers()) {
                tokens.encode(payload: $0.insurerNumber.rawValue, scope: scope)
            }
        }
    }

    /// Imports a qualification file (see `QualificationImport`). `progress` hears after each
    /// chunk. Invalid rows without `skipInvalid`: nothing is imported and `invalidFields` lists
    /// the first of them.
    public func importRecords(
        _ admin: OperatorPrincipal, _ request: QualificationImportRequest, progress: @Sendable (QualificationImportProgress) -> Void
    ) async throws -> QualificationImportReport {
        let now = clock.now().microsecondPrecision
        let today = CalendarDate(day: now)
        let importer = QualificationImport(store: store, request: request, today: today)
        let (generation, digests, read, errors) = try await importer.stage(progress: progress)
        var report = QualificationImportReport(
            progress: read, importedCount: 0, changedInsurers: [], unchangedInsurers: [], errors: errors, job: nil)
        guard let generation else { return report }
        guard errors.isEmpty || request.skipInvalid else {
            try await importer.discard(generation)
            try await store.audit(
                admin.auditEvent(
                    time: now, target: "qualification-import", result: "INVALID_ARGUMENT", reason: "invalid_rows=\(read.invalidRows)"))
            throw DomainError.invalidFields(
                errors.prefix(100).map {
                    FieldViolation(
                        field: "line \($0.line)" + ($0.column.isEmpty ? "" : ": \($0.column)"), reason: "INVALID_ROW", message: $0.reason)
                })
        }
        let jobID = makeID()
        let (changed, unchanged, job) = try await store.unitOfWork { unit in
            var changed: [InsurerNumber] = []
            var unchanged: [InsurerNumber] = []
            for (insurer, digest) in digests.sorted(by: { $0.key < $1.key }) {
                if try unit.currentDigest(of: insurer) == digest {
                    try unit.discard(generation: generation, insurer: insurer)
                    unchanged.append(insurer)
                } else {
                    try unit.publish(insurer: insurer, generation: generation, digest: digest, at: now)
                    changed.append(insurer)
                }
            }
            try unit.endStaging(generation: generation)
            var job: VerificationJob?
            if !changed.isEmpty {
                try unit.raiseRegistryRevision()
                let checked = try changed.filter { try unit.participatingInsurer($0)?.participates(on: today) ?? false }
                if !checked.isEmpty {
                    job = VerificationJob(
                        id: jobID, trigger: .registryImported, scope: VerificationScope(insurers: checked), createdAt: now)
                    try unit.insertJob(job!)
                }
            }
            try unit.appendAudit(
                admin.auditEvent(
                    time: now, target: "qualification-import", result: "OK",
                    reason:
                        "rows=\(read.rows) invalid_rows=\(read.invalidRows) changed_insurers=\(changed.count) unchanged_insurers=\(unchanged.count)"
                ))
            return (changed, unchanged, job)
        }
        runner.notify()
        report.changedInsurers = changed
        report.unchangedInsurers = unchanged
        report.importedCount = changed.reduce(0) { $0 + (digests[$1]?.count ?? 0) }
        report.job = job
        return report
    }

    /// Counts, and the jobs queued or running.
    public func status(_ admin: OperatorPrincipal) async throws -> (RegistryCounts, [VerificationJob]) {
        let now = clock.now()
        return try await store.unitOfWork { unit in
            try unit.appendAudit(admin.auditEvent(time: now, target: "registry"))
            return (try unit.registryCounts(on: CalendarDate(day: now)), try unit.activeJobs())
        }
    }

    /// Jobs newest first, of one facility or all.
    public func jobs(_ admin: OperatorPrincipal, facility: FacilityNumber?, page: PageRequest) async throws -> Page<VerificationJob> {
        let size = try page.resolvedSize()
        let scope = "jobs\u{1F}" + (facility?.rawValue ?? "")
        let after = try page.token.isEmpty ? nil : tokens.decode(payload: page.token, scope: scope)
        let (tokens, now) = (tokens, clock.now())
        return try await store.unitOfWork { unit in
            let found = try unit.jobs(facility: facility, after: after, limit: size + 1)
            try unit.appendAudit(admin.auditEvent(time: now, target: "verification-jobs"))
            return Page(found: found, size: size, totalSize: try unit.countJobs(facility: facility)) {
                tokens.encode(payload: $0.id, scope: scope)
            }
        }
    }

    private func newJob(_ trigger: VerificationJob.Trigger, _ scope: VerificationScope, _ now: Date) -> VerificationJob {
        VerificationJob(id: makeID(), trigger: trigger, scope: scope, createdAt: now)
    }

    static func target(_ insurer: InsurerNumber) -> String { "insurer:" + insurer.rawValue }
}
