import LifeClient
import LifeProto

/// Drives lifed through the real Swift client: each connection runs `inFlight` tasks, each
/// calling Health.Check back to back until the end time.
enum LifedLoad {
    static func run(
        endpoint: ClientEndpoint,
        connections: Int,
        inFlight: Int,
        duration: Duration,
        recordLatency: Bool
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
                                    try await callLoop(client, until: end, recordLatency: recordLatency)
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

    private static func callLoop(_ client: LifeClient, until end: ContinuousClock.Instant, recordLatency: Bool) async throws -> LatencyStats
    {
        var stats = LatencyStats()
        let request = Life_V1_HealthCheckRequest()
        while ContinuousClock.now < end {
            let sent = ContinuousClock.now
            _ = try await client.health.check(request)
            stats.calls += 1
            if recordLatency { stats.samples.append(sent.nanosecondsSince) }
        }
        return stats
    }
}
