import Foundation
import LifeCore

/// What a facility's staff do with eligibility checks: check one recipient now, read results,
/// and start or follow a bulk re-check of their facility. Scoped to the principal's facility:
/// another facility's recipient or job is NOT_FOUND.
public struct VerificationUseCases: Sendable {
    private let store: any TransactionalStore
    private let verifier: EligibilityVerifier
    private let runner: VerificationJobRunner
    private let signal: ChangeSignal
    private let clock: any WallClock
    private let tokens: PageTokenCodec
    private let makeID: @Sendable () -> String

    public init(
        store: any TransactionalStore, verifier: EligibilityVerifier = EligibilityVerifier(), runner: VerificationJobRunner,
        signal: ChangeSignal, clock: any WallClock = SystemClock(), tokens: PageTokenCodec = PageTokenCodec(),
        makeID: @escaping @Sendable () -> String = { UUID().uuidString.lowercased() }
    ) {
        self.store = store
        self.verifier = verifier
        self.runner = runner
        self.signal = signal
        self.clock = clock
        self.tokens = tokens
        self.makeID = makeID
    }

    /// Checks the recipient now and stores the result; a result that changed is logged as a
    /// VERIFIED change.
    public func verify(_ principal: StaffPrincipal, recipientID: String) async throws -> VerificationResult {
        let now = clock.now().microsecondPrecision
        let verifier = self.verifier
        let (result, sequence) = try await store.unitOfWork { unit -> (VerificationResult, Int64?) in
            let recipient = try Self.checkable(recipientID, facility: principal.facility, in: unit)
            let result = try verifier.result(of: recipient.fields, version: recipient.version, at: now, in: unit)
            guard try unit.recordVerification(result, recipientID: recipient.id, facility: recipient.facility) else {
                throw DomainError.notFound("recipient")  // not reached: read in this unit
            }
            var sequence: Int64?
            if result.outcome != recipient.verification.outcome {
                sequence = try unit.appendChange(
                    RecipientChange(
                        facility: recipient.facility, recipientID: recipient.id, kind: .verified, version: recipient.version, time: now,
                        changedBy: principal.loginID))
            }
            try unit.appendAudit(principal.auditEvent(time: now, target: RecipientUseCases.target(recipientID)))
            return (result, sequence)
        }
        if let sequence { signal.advance(principal.facility, to: sequence) }
        return result
    }

    /// The stored result of one recipient.
    public func result(_ principal: StaffPrincipal, recipientID: String) async throws -> VerificationResult {
        let now = clock.now().microsecondPrecision
        return try await store.unitOfWork { unit in
            let recipient = try Self.checkable(recipientID, facility: principal.facility, in: unit)
            try unit.appendAudit(principal.auditEvent(time: now, target: RecipientUseCases.target(recipientID)))
            return recipient.verification
        }
    }

    /// The recipient `id`, which must exist and have valid fields: a record that needs
    /// correction is never checked (FAILED_PRECONDITION), a missing one is NOT_FOUND.
    private static func checkable(_ id: String, facility: FacilityNumber, in unit: any UnitOfWork) throws -> Recipient {
        switch try unit.record(id: id, facility: facility) {
        case .valid(let recipient): return recipient
        case .needsCorrection:
            throw DomainError.failedPrecondition("the recipient needs correction (imported with invalid fields); correct it first")
        case nil: throw RecipientUseCases.notFound
        }
    }

    /// Queues a re-check of the facility's recipients (of some insurers, with some stored
    /// statuses). One job per facility at a time.
    public func startJob(_ principal: StaffPrincipal, insurers: [InsurerNumber], statuses: Set<VerificationStatus>) async throws
        -> VerificationJob
    {
        let now = clock.now().microsecondPrecision
        let job = VerificationJob(
            id: makeID(), trigger: .requested,
            scope: VerificationScope(facility: principal.facility, insurers: insurers, statuses: statuses),
            createdAt: now)
        try await store.unitOfWork { unit in
            if let active = try unit.activeJobs().first(where: { $0.scope.facility == principal.facility }) {
                throw DomainError.failedPrecondition(
                    "the facility's verification job \(active.id) is still \(active.state == .queued ? "queued" : "running")")
            }
            try unit.insertJob(job)
            try unit.appendAudit(principal.auditEvent(time: now, target: "verification-job:" + job.id))
        }
        runner.notify()
        return job
    }

    /// A job of the principal's facility.
    public func job(_ principal: StaffPrincipal, id: String) async throws -> VerificationJob {
        let now = clock.now().microsecondPrecision
        return try await store.unitOfWork { unit in
            guard let job = try unit.job(id: String(id.prefix(64)), facility: principal.facility) else {
                throw DomainError.notFound("verification job")
            }
            try unit.appendAudit(principal.auditEvent(time: now, target: "verification-job:" + job.id))
            return job
        }
    }
}
