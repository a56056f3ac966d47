import LifeApp
import LifeCore
import LifeProto

extension Life_V1_VerificationResult {
    init(_ result: VerificationResult) {
        self.init()
        status = Life_V1_VerificationStatus(rawValue: result.status.rawValue) ?? .unspecified
        mismatchedFields = result.outcome.mismatchedFields.map { Life_V1_VerificationField(rawValue: $0.rawValue) ?? .unspecified }
        if let checkedAt = result.checkedAt { self.checkedAt = Life_V1_Timestamp(checkedAt) }
        if let checkedOn = result.checkedOn { self.checkedOn = Life_V1_Date(checkedOn) }
        recipientVersion = result.recipientVersion
        registryRevision = result.registryRevision
    }
}

extension Life_V1_VerificationJob {
    init(_ job: VerificationJob) {
        self.init()
        id = job.id
        trigger = Life_V1_VerificationJobTrigger(rawValue: job.trigger.rawValue) ?? .unspecified
        facilityNumber = job.scope.facility?.rawValue ?? ""
        insurerNumbers = job.scope.insurers.map(\.rawValue)
        state = Life_V1_VerificationJobState(rawValue: job.state.rawValue) ?? .unspecified
        totalCount = job.totalCount
        processedCount = job.counts.processed
        matchedCount = job.counts.matched
        mismatchedCount = job.counts.mismatched
        notFoundCount = job.counts.notFound
        notCheckedCount = job.counts.notChecked
        createdAt = Life_V1_Timestamp(job.createdAt)
        if let startedAt = job.startedAt { self.startedAt = Life_V1_Timestamp(startedAt) }
        if let finishedAt = job.finishedAt { self.finishedAt = Life_V1_Timestamp(finishedAt) }
        errorMessage = job.errorMessage
    }
}

extension Life_V1_ParticipatingInsurer {
    init(_ insurer: ParticipatingInsurer) {
        self.init()
        insurerNumber = insurer.insurerNumber.rawValue
        name = insurer.name
        joinedOn = Life_V1_Date(insurer.joinedOn)
        createdAt = Life_V1_Timestamp(insurer.createdAt)
        if let leftOn = insurer.leftOn { self.leftOn = Life_V1_Date(leftOn) }
    }
}

extension Life_V1_ImportQualificationRecordsResponse {
    init(_ progress: QualificationImportProgress) {
        self.init()
        rowCount = progress.rows
        invalidCount = progress.invalidRows
        bytesRead = progress.bytesRead
        totalBytes = progress.totalBytes
    }
}

extension VerificationStatus {
    /// The statuses a request names; UNSPECIFIED selects recipients never checked.
    static func set(_ statuses: [Life_V1_VerificationStatus]) -> Set<VerificationStatus> {
        Set(statuses.compactMap { VerificationStatus(rawValue: $0.rawValue) })
    }
}

extension Life_V1_Date {
    /// The date, or nil when absent (all zero); `invalidField(field)` when not a real date.
    func calendarDate(field: String) throws(DomainError) -> CalendarDate? {
        guard year != 0 || month != 0 || day != 0 else { return nil }
        guard let date = CalendarDate(year: Int(year), month: Int(month), day: Int(day)) else {
            throw .invalidField(field: field, reason: "FORMAT", message: "\(field) is not a real date")
        }
        return date
    }
}
