import ServiceLifecycle
import UnixSignals

/// Reloads the daemon on each SIGHUP until graceful shutdown.
struct ReloadSignalService: Service {
    let daemon: Daemon

    func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            daemon.reload()
        }
    }
}
