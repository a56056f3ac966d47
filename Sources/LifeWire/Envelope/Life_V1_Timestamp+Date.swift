import Foundation
import LifeProto

extension Life_V1_Timestamp {
    /// The timestamp of a `Date`.
    public init(_ date: Date) {
        self.init()
        let interval = date.timeIntervalSince1970
        let whole = interval.rounded(.down)
        seconds = Int64(whole)
        nanos = Int32((interval - whole) * 1_000_000_000)
    }

    /// The `Date` of this timestamp.
    public var date: Date {
        Date(timeIntervalSince1970: TimeInterval(seconds) + TimeInterval(nanos) / 1_000_000_000)
    }
}
