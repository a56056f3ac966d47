import Logging
import ServiceLifecycle

/// Housekeeping that runs every `interval` until graceful shutdown: `sweep` deletes (or closes)
/// what is no longer needed and returns how much; a count above zero is logged, a failure is
/// logged and the next round tries again.
struct PeriodicSweep: Service {
    /// What is swept, for the log: "ended session(s)".
    let what: String
    /// What the sweep does to it, for the log: "deleted", "closed".
    var done = "deleted"
    let logger: Logger
    var interval: Duration = .seconds(3600)
    let sweep: @Sendable () async throws -> Int

    func run() async throws {
        // Graceful shutdown cancels the loop; that is this service's normal end.
        try? await cancelWhenGracefulShutdown {
            while true {
                try await Task.sleep(for: interval)
                do {
                    let deleted = try await sweep()
                    if deleted > 0 { logger.info("\(done) \(deleted) \(what)") }
                } catch {
                    logger.error("sweeping \(what) failed: \(error)")
                }
            }
        }
    }
}
