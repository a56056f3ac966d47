import ServiceLifecycle
import UnixSignals

/// Reloads the daemon on each SIGHUP until graceful shutdown. The signal is trapped when the
/// sequence is made (before READY), so an early SIGHUP is never fatal.
struct ReloadSignalService: Service {
    let daemon: Daemon
    let hangups: UnixSignalsSequence

    func run() async throws {
        for await _ in hangups.cancelOnGracefulShutdown() {
            daemon.reload()
        }
    }
}
