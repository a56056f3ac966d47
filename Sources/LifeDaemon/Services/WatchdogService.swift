import ServiceLifecycle

/// Tells systemd the daemon is alive at half the interval it asked for (`WatchdogSec=`). It runs
/// on the same executor as everything else, so a wedged process stops sending.
struct WatchdogService: Service {
    let notifier: SystemdNotifier
    let interval: Duration

    func run() async throws {
        // Graceful shutdown cancels the loop; that is this service's normal end.
        try? await cancelWhenGracefulShutdown {
            while true {
                notifier.watchdog()
                try await Task.sleep(for: interval / 2)
            }
        }
    }
}
