import LifeApp
import LifeCore
import LifeProto
import LifeStubs
import LifeWire

/// life.v1.Recipients: decode, one use case for the session's staff member, encode.
public struct RecipientsService: Life_V1_RecipientsService {
    private let useCases: RecipientUseCases

    public init(useCases: RecipientUseCases) {
        self.useCases = useCases
    }

    public func createRecipient(_ request: Life_V1_CreateRecipientRequest, context: ServerCallContext) async throws
        -> Life_V1_CreateRecipientResponse
    {
        let principal = try context.staff().principal
        var response = Life_V1_CreateRecipientResponse()
        response.recipient = Life_V1_Recipient(try await useCases.create(principal, request.recipient.draft))
        return response
    }

    public func getRecipient(_ request: Life_V1_GetRecipientRequest, context: ServerCallContext) async throws
        -> Life_V1_GetRecipientResponse
    {
        let principal = try context.staff().principal
        var response = Life_V1_GetRecipientResponse()
        response.recipient = Life_V1_Recipient(try await useCases.get(principal, id: request.id))
        return response
    }

    public func listRecipients(_ request: Life_V1_ListRecipientsRequest, context: ServerCallContext) async throws
        -> Life_V1_ListRecipientsResponse
    {
        let principal = try context.staff().principal
        let query = RecipientQuery(filter: request.filter, pageSize: Int(request.page.pageSize), pageToken: request.page.pageToken)
        let page = try await useCases.list(principal, query)
        var response = Life_V1_ListRecipientsResponse()
        response.recipients = page.recipients.map(Life_V1_Recipient.init)
        response.page.nextPageToken = page.nextPageToken
        response.page.totalSize = Int64(page.totalSize)
        response.changeSequence = page.changeSequence
        return response
    }

    public func updateRecipient(_ request: Life_V1_UpdateRecipientRequest, context: ServerCallContext) async throws
        -> Life_V1_UpdateRecipientResponse
    {
        let principal = try context.staff().principal
        let updated = try await useCases.update(
            principal, id: request.recipient.id, request.recipient.draft, expectedVersion: request.expectedVersion)
        var response = Life_V1_UpdateRecipientResponse()
        response.recipient = Life_V1_Recipient(updated)
        return response
    }

    public func deleteRecipient(_ request: Life_V1_DeleteRecipientRequest, context: ServerCallContext) async throws
        -> Life_V1_DeleteRecipientResponse
    {
        let principal = try context.staff().principal
        try await useCases.delete(principal, id: request.id, expectedVersion: request.expectedVersion)
        return Life_V1_DeleteRecipientResponse()
    }

    public func watchRecipients(
        _ request: Life_V1_WatchRecipientsRequest,
        context: ServerCallContext,
        responses: ResponseStreamWriter<Life_V1_WatchRecipientsResponse>
    ) async throws {
        let principal = try context.staff().principal
        try await useCases.watch(principal, after: request.afterSequence) { event in
            try await responses.write(Life_V1_WatchRecipientsResponse(event))
        }
    }
}
