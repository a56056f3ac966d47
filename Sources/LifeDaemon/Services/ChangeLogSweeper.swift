import Foundation
import LifeCore
import Logging
import ServiceLifecycle

/// Prunes the recipients' change log once an hour to `recipients.change_retention`: a watcher
/// resuming from an older position gets OUT_OF_RANGE and lists again.
struct ChangeLogSweeper: Service {
    let storage: any LifeStorage
    let retention: Duration
    let logger: Logger
    var interval: Duration = .seconds(3600)

    func run() async throws {
        // Graceful shutdown cancels the loop; that is this service's normal end.
        try? await cancelWhenGracefulShutdown {
            while true {
                try await Task.sleep(for: interval)
                let cutoff = Date().addingTimeInterval(-Double(retention.components.seconds))
                do {
                    let deleted = try await storage.unitOfWork { try $0.pruneChanges(before: cutoff) }
                    if deleted > 0 {
                        logger.info("pruned \(deleted) change-log entr\(deleted == 1 ? "y" : "ies") older than the retention")
                    }
                } catch {
                    logger.error("change-log pruning failed: \(error)")
                }
            }
        }
    }
}
