import ServiceLifecycle

/// Long-running work of the daemon (the verification job runner) as a service: it runs until
/// graceful shutdown cancels it, which is its normal end; work it was doing resumes at the next
/// start from what it stored.
struct BackgroundWork: Service {
    let work: @Sendable () async -> Void

    func run() async throws {
        await cancelWhenGracefulShutdown { await work() }
    }
}
