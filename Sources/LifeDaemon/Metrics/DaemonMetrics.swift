import Foundation
import LifeServer
import Metrics
import Prometheus

/// One daemon's metrics: a Prometheus registry of its own when `metrics.listen` is set, else a
/// factory that records nothing. Never the process-wide `MetricsSystem.bootstrap`, which may run
/// once per process: tests build several daemons in one.
struct DaemonMetrics: Sendable {
    /// What every part records into.
    let factory: any MetricsFactory
    /// What the endpoint emits; nil when metrics are off.
    let registry: PrometheusCollectorRegistry?

    init(enabled: Bool) {
        guard enabled else {
            (factory, registry) = (NOOPMetricsHandler.instance, nil)
            return
        }
        let collector = PrometheusCollectorRegistry()
        var prometheus = PrometheusMetricsFactory(registry: collector)
        // A commit is an fsync: milliseconds, not the seconds a slow call may take.
        prometheus.durationHistogramBuckets["lifed_store_commit_duration_seconds"] = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
            .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1),
        ]
        (factory, registry) = (prometheus, collector)
    }

    /// Sets the gauges read at scrape time: connections open and in their handshake per
    /// listener, and the database's files (the database and its WAL) in bytes.
    func scrapeGauges(listeners: [Listener], databasePath: String) -> @Sendable () -> Void {
        let connections = listeners.map { listener in
            (
                listener,
                open: Gauge(label: "lifed_connections_open", dimensions: [("listener", listener.name)], factory: factory),
                handshaking: Gauge(label: "lifed_connections_handshaking", dimensions: [("listener", listener.name)], factory: factory)
            )
        }
        let files = [("database", databasePath), ("wal", databasePath + "-wal")].map { name, path in
            (path, Gauge(label: "lifed_database_size_bytes", dimensions: [("file", name)], factory: factory))
        }
        return {
            for (listener, open, handshaking) in connections {
                open.record(listener.connectionCount)
                handshaking.record(listener.handshakingCount)
            }
            for (path, gauge) in files {
                let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
                gauge.record(size)
            }
        }
    }
}
