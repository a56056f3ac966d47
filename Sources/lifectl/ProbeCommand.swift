import ArgumentParser
import Foundation
import LifeClient
import LifeProto
import LifeWire

/// `lifectl probe`: a monitoring check with Nagios-style exit codes.
struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Check that lifed is serving; report version, uptime, latency, certificate expiry and CRL nextUpdate.",
        discussion: """
            Exit codes: 0 OK; 1 warning (the server certificate expires within --warn-days, or a \
            client-CA CRL reaches its nextUpdate within --crl-warn-hours); 2 critical (unreachable, \
            not serving, handshake refused, certificate expired, a CRL past its nextUpdate: lifed then \
            refuses that CA's new handshakes unless tls.crl_grace_period or \
            tls.crl_enforce_next_update = false says otherwise).
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Warn when the server certificate expires within this many days.")
    var warnDays = 30

    @Option(
        help: """
            Warn when a client-CA CRL reaches its nextUpdate within this many hours (by the server's \
            clock); keep it below the CA's publishing interval.
            """)
    var crlWarnHours = 72

    @Option(help: "Health.Check round trips to time (the median is reported).")
    var samples = 5

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        guard samples >= 1, samples <= 1000 else { throw ValidationError("--samples must be 1...1000") }
        guard warnDays >= 0 else { throw ValidationError("--warn-days must not be negative") }
        guard crlWarnHours >= 0 else { throw ValidationError("--crl-warn-hours must not be negative") }
    }

    func run() async throws {
        let endpoint = try connection.endpoint()
        let report = await probe(endpoint)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report.text)
        }
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }

    private func probe(_ endpoint: ClientEndpoint) async -> ProbeReport {
        var report = ProbeReport(endpoint: endpoint.description)
        do {
            let (response, latencies) = try await measure(endpoint)
            report.record(
                response: response, latencies: latencies,
                thresholds: ProbeReport.Thresholds(certificateDays: warnDays, crlHours: crlWarnHours))
        } catch let error as RPCError {
            report.fail(error.description)
        } catch {
            report.fail("\(error)")
        }
        return report
    }

    /// Health.Check `samples` times on one connection. A connection that could not be made at all
    /// (refused, or the accept queue full for a moment: ECONNREFUSED, EAGAIN) is tried once more
    /// after 200 ms before the daemon is called unreachable; an answer from the daemon, even an
    /// error, is not retried.
    private func measure(_ endpoint: ClientEndpoint) async throws -> (Life_V1_HealthCheckResponse, [Duration]) {
        do {
            return try await measureOnce(endpoint)
        } catch let error where !(error is RPCError) {
            try await Task.sleep(for: .milliseconds(200))
            return try await measureOnce(endpoint)
        }
    }

    private func measureOnce(_ endpoint: ClientEndpoint) async throws -> (Life_V1_HealthCheckResponse, [Duration]) {
        let timeout = connection.timeoutDuration
        let samples = self.samples
        return try await LifeClient.withConnection(to: endpoint, connectTimeout: timeout) { client in
            var latencies: [Duration] = []
            var last = Life_V1_HealthCheckResponse()
            for _ in 0..<samples {
                let start = ContinuousClock.now
                last = try await client.health.check(Life_V1_HealthCheckRequest(), deadline: .after(timeout))
                latencies.append(start.duration(to: .now))
            }
            return (last, latencies)
        }
    }
}
