import LifeApp
import LifeServer
import Logging
import ServiceLifecycle

/// Runs last in the service group, so graceful shutdown reaches it first: it marks the server
/// not serving (Health watchers hear it), ends recipient watches (each with an OK trailer), tells
/// systemd STOPPING=1, and sends GOAWAY on every listener at once. The listeners then return as
/// their connections finish.
struct ShutdownAnnouncer: Service {
    let health: HealthState
    let changes: ChangeSignal
    let listeners: [Listener]
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
        changes.close()
        await withTaskGroup(of: Void.self) { group in
            for listener in listeners {
                group.addTask { await listener.drain() }
            }
        }
    }
}
