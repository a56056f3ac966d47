import Foundation
import LifeCore
import Synchronization

/// The time a test daemon's rules see: the real time plus an offset the test moves forward, so a
/// lock duration or an idle timeout passes without sleeping.
public final class TestClock: WallClock {
    private let offset = Mutex<TimeInterval>(0)

    public init() {}

    public func now() -> Date { Date().addingTimeInterval(offset.withLock { $0 }) }

    /// Moves the time forward by `duration`.
    public func advance(by duration: Duration) {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        offset.withLock { $0 += seconds }
    }
}
