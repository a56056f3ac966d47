import LifeServer
import Logging
import ServiceLifecycle

/// Runs last in the service group, so graceful shutdown reaches it first: it marks the server
/// not serving (Health watchers hear it) and tells systemd STOPPING=1, before the listeners
/// send GOAWAY and drain.
struct ShutdownAnnouncer: Service {
    let health: HealthState
    let notifier: SystemdNotifier
    let logger: Logger

    func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            return  // Cancelled: the group is going away without a graceful shutdown.
        }
        logger.info("graceful shutdown: draining connections")
        notifier.stopping()
        health.beginShutdown()
    }
}
