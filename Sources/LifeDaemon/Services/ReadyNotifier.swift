import ServiceLifecycle

/// Tells systemd READY=1 from inside the running service group: by then storage is open, the
/// listeners are bound and SIGTERM/SIGHUP are trapped, so a signal right after READY is handled.
struct ReadyNotifier: Service {
    let notifier: SystemdNotifier
    let status: String

    func run() async throws {
        notifier.ready(status: status)
        // Stays until shutdown: the group expects its services to end in reverse order.
        try? await gracefulShutdown()
    }
}
