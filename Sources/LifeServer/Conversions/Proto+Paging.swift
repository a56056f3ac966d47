import LifeApp
import LifeProto

extension PageRequest {
    init(_ request: Life_V1_PageRequest) {
        self.init(size: Int(request.pageSize), token: request.pageToken)
    }
}

extension Life_V1_PageResponse {
    init<Item>(_ page: Page<Item>) {
        self.init()
        nextPageToken = page.nextPageToken
        totalSize = Int64(page.totalSize)
    }
}
