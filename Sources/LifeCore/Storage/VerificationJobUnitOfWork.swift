/// Bulk re-check jobs and the recipients they visit.
public protocol VerificationJobUnitOfWork {
    func insertJob(_ job: VerificationJob) throws
    /// Writes state, counts, cursor and times of a stored job.
    func updateJob(_ job: VerificationJob) throws
    /// The job, if of `facility` (nil: of any facility).
    func job(id: String, facility: FacilityNumber?) throws -> VerificationJob?
    /// Up to `limit` jobs newest first, after the job `after` (of one facility, or all).
    func jobs(facility: FacilityNumber?, after: String?, limit: Int) throws -> [VerificationJob]
    func countJobs(facility: FacilityNumber?) throws -> Int
    /// Queued and running jobs, oldest first.
    func activeJobs() throws -> [VerificationJob]

    /// Up to `limit` recipients in `scope`, in the cursor's order, after `cursor`.
    func recipients(in scope: VerificationScope, after cursor: VerificationCursor?, limit: Int) throws -> [Recipient]
    func countRecipients(in scope: VerificationScope) throws -> Int64
    /// Stores a recipient's new result without changing its version, if the recipient is still at
    /// the version the result checked (`result.recipientVersion`). False when it is not (changed
    /// or deleted since): nothing is stored.
    func recordVerification(_ result: VerificationResult, recipientID: String, facility: FacilityNumber) throws -> Bool
}
