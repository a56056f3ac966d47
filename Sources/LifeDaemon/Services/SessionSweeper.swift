import Foundation
import LifeCore
import Logging
import ServiceLifecycle

/// Deletes ended sessions once an hour, so the session table holds only usable sessions (a token
/// hash that no longer logs anyone in has no reason to stay).
struct SessionSweeper: Service {
    let storage: any LifeStorage
    let policy: LoginPolicy
    let logger: Logger
    var interval: Duration = .seconds(3600)

    func run() async throws {
        // Graceful shutdown cancels the loop; that is this service's normal end.
        try? await cancelWhenGracefulShutdown {
            while true {
                try await Task.sleep(for: interval)
                let now = Date()
                let idle = Double(policy.sessionIdleTimeout.components.seconds)
                do {
                    let deleted = try await storage.deleteEndedSessions(endedBefore: now, idleBefore: now.addingTimeInterval(-idle))
                    if deleted > 0 { logger.info("deleted \(deleted) ended session(s)") }
                } catch {
                    logger.error("session sweep failed: \(error)")
                }
            }
        }
    }
}
