import LifeApp
import LifeCore
import LifeProto
import LifeStubs
import LifeWire

/// life.v1.Verification: decode, one use case for the session's staff member, encode.
public struct VerificationService: Life_V1_VerificationService {
    private let verification: VerificationUseCases
    private let recipients: RecipientUseCases

    public init(verification: VerificationUseCases, recipients: RecipientUseCases) {
        self.verification = verification
        self.recipients = recipients
    }

    public func verifyRecipient(_ request: Life_V1_VerifyRecipientRequest, context: ServerCallContext) async throws
        -> Life_V1_VerifyRecipientResponse
    {
        var response = Life_V1_VerifyRecipientResponse()
        response.result = Life_V1_VerificationResult(
            try await verification.verify(try context.staff().principal, recipientID: request.recipientID))
        return response
    }

    public func getVerificationResult(_ request: Life_V1_GetVerificationResultRequest, context: ServerCallContext) async throws
        -> Life_V1_GetVerificationResultResponse
    {
        var response = Life_V1_GetVerificationResultResponse()
        response.result = Life_V1_VerificationResult(
            try await verification.result(try context.staff().principal, recipientID: request.recipientID))
        return response
    }

    /// A ListRecipients with the verification filter, shown as results.
    public func listVerificationResults(_ request: Life_V1_ListVerificationResultsRequest, context: ServerCallContext) async throws
        -> Life_V1_ListVerificationResultsResponse
    {
        let filter = RecipientFilter(
            insurerNumber: request.insurerNumber.isEmpty ? nil : request.insurerNumber,
            verificationStatuses: VerificationStatus.set(request.statuses), correction: .valid)
        let page = try await recipients.list(
            try context.staff().principal,
            RecipientQuery(filter: filter, pageSize: Int(request.page.pageSize), pageToken: request.page.pageToken))
        var response = Life_V1_ListVerificationResultsResponse()
        response.results = page.recipients.compactMap { record in
            // Only valid records are listed (the filter); a flagged one is never checked.
            guard case .valid(let recipient) = record else { return nil }
            var item = Life_V1_RecipientVerification()
            item.recipientID = recipient.id
            item.insurerNumber = recipient.fields.insurerNumber.rawValue
            item.insuredNumber = recipient.fields.insuredNumber.rawValue
            item.result = Life_V1_VerificationResult(recipient.verification)
            return item
        }
        response.page.nextPageToken = page.nextPageToken
        response.page.totalSize = Int64(page.totalSize)
        return response
    }

    public func startVerificationJob(_ request: Life_V1_StartVerificationJobRequest, context: ServerCallContext) async throws
        -> Life_V1_StartVerificationJobResponse
    {
        let principal = try context.staff().principal
        let insurers = try request.insurerNumbers.enumerated().map { index, text throws(DomainError) in
            try InsurerNumber(text, field: "insurer_numbers[\(index)]")
        }
        var response = Life_V1_StartVerificationJobResponse()
        response.job = Life_V1_VerificationJob(
            try await verification.startJob(principal, insurers: insurers, statuses: VerificationStatus.set(request.statuses)))
        return response
    }

    public func getVerificationJob(_ request: Life_V1_GetVerificationJobRequest, context: ServerCallContext) async throws
        -> Life_V1_GetVerificationJobResponse
    {
        var response = Life_V1_GetVerificationJobResponse()
        response.job = Life_V1_VerificationJob(try await verification.job(try context.staff().principal, id: request.jobID))
        return response
    }
}
