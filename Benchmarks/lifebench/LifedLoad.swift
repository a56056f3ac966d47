import LifeClient
import LifeProto

/// Drives lifed through the real Swift client: each connection runs `inFlight` tasks, each
/// making `call` (by default Health.Check) back to back until the end time, or until
/// `keepGoing` says no.
enum LifedLoad {
    static func run(
        endpoint: ClientEndpoint,
        connections: Int,
        inFlight: Int,
        duration: Duration,
        recordLatency: Bool,
        keepGoing: @escaping @Sendable () -> Bool = { true },
        call: @escaping @Sendable (LifeClient) async throws -> Void = { _ = try await $0.health.check(.init()) }
    ) async throws -> LatencyStats {
        let end = ContinuousClock.now + duration
        let start = ContinuousClock.now
        var total = try await withThrowingTaskGroup(of: LatencyStats.self) { group in
            for _ in 0..<connections {
                group.addTask {
                    try await LifeClient.withConnection(to: endpoint) { client in
                        try await withThrowingTaskGroup(of: LatencyStats.self) { callers in
                            // Callers run on the connection's event loop, as the echo floor's client does.
                            for _ in 0..<inFlight {
                                callers.addTask(executorPreference: client.connection.taskExecutor) {
                                    try await callLoop(client, until: end, keepGoing: keepGoing, recordLatency: recordLatency, call: call)
                                }
                            }
                            var stats = LatencyStats()
                            for try await partial in callers { stats.merge(partial) }
                            return stats
                        }
                    }
                }
            }
            var stats = LatencyStats()
            for try await partial in group { stats.merge(partial) }
            return stats
        }
        total.elapsed = start.duration(to: .now)
        return total
    }

    private static func callLoop(
        _ client: LifeClient, until end: ContinuousClock.Instant, keepGoing: @Sendable () -> Bool, recordLatency: Bool,
        call: @Sendable (LifeClient) async throws -> Void
    ) async throws -> LatencyStats {
        var stats = LatencyStats()
        while ContinuousClock.now < end, keepGoing() {
            let sent = ContinuousClock.now
            try await call(client)
            stats.calls += 1
            if recordLatency { stats.samples.append(sent.nanosecondsSince) }
        }
        return stats
    }
}
