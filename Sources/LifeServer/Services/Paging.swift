import LifeCore
import LifeProto

/// Offset paging behind an opaque token (AIP-158): page_size 0 → 50, at most 500.
struct Paging {
    let range: Range<Int>
    let response: Life_V1_PageResponse

    init(_ request: Life_V1_PageRequest, total: Int) throws(DomainError) {
        let size = request.pageSize == 0 ? 50 : Int(request.pageSize)
        guard (1...500).contains(size) else {
            throw .invalidField(field: "page.page_size", reason: "RANGE", message: "page_size must be 0…500")
        }
        var start = 0
        if !request.pageToken.isEmpty {
            guard let offset = Int(request.pageToken, radix: 36), offset >= 0, offset <= total else {
                throw .invalidField(field: "page.page_token", reason: "INVALID", message: "page_token is not one this server issued")
            }
            start = offset
        }
        let end = min(total, start + size)
        range = start..<end
        var response = Life_V1_PageResponse()
        response.totalSize = Int64(total)
        if end < total { response.nextPageToken = String(end, radix: 36) }
        self.response = response
    }
}
