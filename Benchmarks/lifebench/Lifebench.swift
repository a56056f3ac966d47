import ArgumentParser
import Foundation
import LifeClient
import LifeProto
import NIOSSL

@main
struct Lifebench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lifebench",
        abstract: "Load generator: Health.Check round trips against lifed, beside a raw SwiftNIO echo floor.",
        subcommands: [Run.self, EchoServerCommand.self],
        defaultSubcommand: Run.self
    )
}

struct EchoServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "echo-server", abstract: "The echo floor's server (started by run).")

    @Option var unix: String
    @Option var cert: String
    @Option var key: String
    @Option var ca: String

    func run() async throws {
        try await EchoServer.run(unixPath: unix, certificate: cert, key: key, ca: ca)
    }
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Start lifed (--dev, in a temp folder) and the echo floor, measure, print a table."
    )

    @Option(help: "The lifed executable (build it with swift build -c release).")
    var lifed = ".build/release/lifed"

    @Option(help: "Seconds per measurement.")
    var seconds = 5

    @Option(help: "Connections of the throughput runs.")
    var connections = 64

    @Option(help: "Calls in flight per connection in the throughput runs.")
    var inFlight = 8

    @Option(help: "Transports to measure: unix, tls or both.")
    var transport = "both"

    @Flag(help: "Measure only the Recipients workloads (Create, Get, List, Update, Watch fan-out) over TLS.")
    var recipientsOnly = false

    @Option(help: "With --recipients-only: recipients to generate into the database before lifed starts.")
    var generate = 0

    @Option(help: "Facilities the generated recipients are spread over.")
    var facilities = 10_000

    @Flag(help: "Measure only eligibility verification: import a qualification file, then re-check the generated recipients.")
    var verificationOnly = false

    @Option(help: "With --verification-only: rows of the qualification file (the generated recipients' first).")
    var qualificationRows = 5_000_000

    @Option(help: "With --verification-only: lifed's verification.batch_size (default: lifed's own).")
    var batchSize: Int?

    @Option(help: "With --verification-only: lifed's verification.duty_cycle, percent (default: lifed's own).")
    var dutyCycle: Int?

    @Option(help: "With --verification-only: connections of the Gets measured during the re-check.")
    var getConnections = 8

    @Option(help: "With --verification-only: Gets in flight per connection during the re-check.")
    var getInFlight = 1

    @Flag(
        help:
            "Measure only the import from the old system: write a facilities file (--facilities rows) and a recipients file (--generate rows, nothing generated into the database), import both through the Admin socket, then the recipients file again."
    )
    var migrationOnly = false

    @Flag(
        help:
            "Measure only lifed's memory under a client that pipelines Health.Check calls on the Unix socket and never reads (--rounds rounds of --calls calls), and after it leaves."
    )
    var noReadOnly = false

    @Option(help: "With --no-read-only: calls pipelined per round.")
    var calls = 200_000

    @Option(help: "With --no-read-only: rounds, each on a new connection.")
    var rounds = 3

    @Option(help: "The C client's life-bench (make -C Sources/CLifeClient): measured beside the Swift client on each row.")
    var cBench: String?

    func run() async throws {
        let folder = NSTemporaryDirectory() + "lifebench-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let dev = folder + "/dev"
        if generate > 0, !migrationOnly {
            try FileManager.default.createDirectory(atPath: dev + "/data", withIntermediateDirectories: true)
            try await RecipientGenerator.generate(databasePath: dev + "/data/lifed.sqlite", facilities: facilities, recipients: generate)
        }
        let qualificationFile = folder + "/qualification.csv"
        var expected = QualificationFileWriter.Expected()
        if verificationOnly {
            guard generate > 0 else { throw ValidationFailure("--verification-only needs --generate N recipients") }
            let start = ContinuousClock.now
            expected = try QualificationFileWriter.write(path: qualificationFile, recipients: generate, rows: qualificationRows)
            FileHandle.standardError.write(Data("wrote \(expected.rows) qualification rows in \(start.duration(to: .now))\n".utf8))
        }
        let facilitiesFile = folder + "/facilities.csv"
        let recipientsFile = folder + "/recipients.csv"
        var legacy = LegacyExportWriter.Expected()
        var legacySeconds = 0.0
        if migrationOnly {
            guard generate > 0, facilities > 0 else { throw ValidationFailure("--migration-only needs --generate N recipients") }
            let start = ContinuousClock.now
            legacy = try LegacyExportWriter.write(
                facilitiesPath: facilitiesFile, recipientsPath: recipientsFile, facilities: facilities, recipients: generate)
            legacySeconds = VerificationLoad.seconds(start.duration(to: .now))
            FileHandle.standardError.write(
                Data("wrote \(legacy.facilities) facilities and \(legacy.rows) recipient rows in \(start.duration(to: .now))\n".utf8))
        }
        let daemon = try Subprocess.start(
            lifed,
            [
                "--dev", "--dev-dir", dev, "--dev-port", "0",
                "--set", "log.level=warning", "--set", "limits.max_concurrent_calls=1024",
            ] + (batchSize.map { ["--set", "verification.batch_size=\($0)"] } ?? [])
                + (dutyCycle.map { ["--set", "verification.duty_cycle=\($0)"] } ?? []))
        defer {
            // Waited for, so the temp folder is removed after lifed's last write rather than before.
            daemon.terminate()
            daemon.waitUntilExit()
        }
        let discovered = try Subprocess.waitForFile(dev + "/lifectl.conf")
        if noReadOnly {
            try await Task.sleep(for: .seconds(2))  // lifed settles after its start
            let (start, rounds) = try await NoReadAttack.run(
                socket: discovered["socket"] ?? "", daemon: daemon.processIdentifier, calls: calls, rounds: rounds)
            var lines = [
                "| round | calls taken of \(calls) | lifed peak RSS | peak − start (goal < 32 MiB) | RSS 5 s after | after vs start (goal within 10%) |",
                "|---:|---:|---:|---:|---:|---:|",
            ]
            for (index, round) in rounds.enumerated() {
                lines.append(
                    String(
                        format: "| %d | %d | %.1f MiB | %+.1f MiB | %.1f MiB | %+.1f%% |", index + 1, round.takenCalls,
                        Double(round.peakKiB) / 1024, Double(round.peakKiB - start) / 1024, Double(round.afterKiB) / 1024,
                        100 * Double(round.afterKiB - start) / Double(max(start, 1))))
            }
            print(lines.joined(separator: "\n"))
            print(String(format: "\nlifed RSS at the start: %.1f MiB", Double(start) / 1024))
            return
        }
        if migrationOnly {
            let settings = MigrationLoad.Settings(
                unix: .unix(path: discovered["socket"] ?? ""), daemon: daemon.processIdentifier, facilitiesFile: facilitiesFile,
                recipientsFile: recipientsFile, expected: legacy, writeSeconds: legacySeconds,
                database: dev + "/data/lifed.sqlite")
            let results = try await MigrationLoad.run(settings)
            print(MigrationLoad.report(results, settings))
            return
        }
        let pki = dev + "/pki"
        let echoSocket = folder + "/echo.sock"
        let echo = try Subprocess.start(
            CommandLine.arguments[0],
            [
                "echo-server", "--unix", echoSocket, "--cert", pki + "/server.pem", "--key", pki + "/server-key.pem", "--ca",
                pki + "/ca.pem",
            ])
        defer { echo.terminate() }
        let echoPort = try Subprocess.readLine(echo, prefix: "port ").flatMap(Int.init) ?? 0

        let clientCert = pki + "/facility-1312345679.pem"
        let clientKey = pki + "/facility-1312345679-key.pem"
        let tlsOptions = TLSClientOptions(caPath: pki + "/ca.pem", certificatePath: clientCert, privateKeyPath: clientKey)
        let tlsAddress = discovered["tls"] ?? ""
        let lifedPort = Int(tlsAddress.split(separator: ":").last ?? "") ?? 0
        var echoTLS = TLSConfiguration.makeClientConfiguration()
        echoTLS.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(pki + "/ca.pem"))
        echoTLS.certificateChain = try NIOSSLCertificate.fromPEMFile(clientCert).map { .certificate($0) }
        echoTLS.privateKey = .privateKey(try NIOSSLPrivateKey(file: clientKey, format: .pem))
        echoTLS.minimumTLSVersion = .tlsv13
        let echoContext = try NIOSSLContext(configuration: echoTLS)

        let duration = Duration.seconds(seconds)
        if verificationOnly {
            let unixEndpoint = ClientEndpoint.unix(path: discovered["socket"] ?? "")
            let tlsEndpoint = ClientEndpoint.tls(host: "127.0.0.1", port: lifedPort, options: tlsOptions)
            try await LoginLoad.prepare(unix: unixEndpoint, tls: tlsEndpoint)
            let token = try await LifeClient.withConnection(to: tlsEndpoint) { try await LoginLoad.login($0, LoginLoad.password) }
            let settings = VerificationLoad.Settings(
                unix: unixEndpoint, tls: tlsEndpoint, token: token, daemon: daemon.processIdentifier, file: qualificationFile,
                expected: expected, ids: stride(from: 0, to: generate, by: facilities).map { String(format: "gen-%08d", $0) },
                getConnections: getConnections, getInFlight: getInFlight, baseline: duration)
            let results = try await VerificationLoad.run(settings)
            print(VerificationLoad.report(results, settings))
            return
        }
        if recipientsOnly {
            let tlsEndpoint = ClientEndpoint.tls(host: "127.0.0.1", port: lifedPort, options: tlsOptions)
            try await LoginLoad.prepare(unix: .unix(path: discovered["socket"] ?? ""), tls: tlsEndpoint)
            let token = try await LifeClient.withConnection(to: tlsEndpoint) { try await LoginLoad.login($0, LoginLoad.password) }
            let results = try await RecipientLoad.run(
                tls: tlsEndpoint, token: token, connections: connections, inFlight: inFlight, duration: duration)
            var lines = [
                "| workload (TLS, durable audit) | connections × in flight | calls/s | p50 µs | p99 µs |", "|---|---|---:|---:|---:|",
            ]
            for (name, stats) in results.rows {
                lines.append(
                    "| \(name) | \(connections) × \(inFlight) | "
                        + String(format: "%.0f | %.0f | %.0f |", stats.callsPerSecond, stats.percentile(0.5), stats.percentile(0.99)))
            }
            lines.append(
                "| Watch fan-out, commit → 100 watchers | 4 × 25 streams | \(results.watch.calls) deliveries | "
                    + String(format: "%.0f | %.0f |", results.watch.percentile(0.5), results.watch.percentile(0.99)))
            print(lines.joined(separator: "\n"))
            let rss =
                (try? String(contentsOfFile: "/proc/\(daemon.processIdentifier)/status", encoding: .utf8))?
                .split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? "?"
            print("\n\(results.stored) recipients stored; lifed \(rss.replacingOccurrences(of: "\t", with: " "))")
            return
        }
        var rows: [Row] = []
        let transports = transport == "both" ? ["unix", "tls"] : [transport]
        for name in transports {
            let floorEndpoint: EchoLoad.Endpoint =
                name == "unix" ? .unix(echoSocket) : .tls(host: "127.0.0.1", port: echoPort, context: echoContext)
            let lifedEndpoint: ClientEndpoint =
                name == "unix"
                ? .unix(path: discovered["socket"] ?? "")
                : .tls(host: "127.0.0.1", port: lifedPort, options: tlsOptions)
            for (connections, inFlight) in [(1, 1), (self.connections, 1), (self.connections, self.inFlight)] {
                let latency = inFlight == 1
                let floor = try await EchoLoad.run(
                    endpoint: floorEndpoint, connections: connections, inFlight: inFlight, duration: duration, recordLatency: latency)
                rows.append(
                    Row(transport: name, workload: "echo floor (100 B)", connections: connections, inFlight: inFlight, stats: floor))
                let measured = try await LifedLoad.run(
                    endpoint: lifedEndpoint, connections: connections, inFlight: inFlight, duration: duration, recordLatency: latency)
                rows.append(
                    Row(transport: name, workload: "lifed Health.Check", connections: connections, inFlight: inFlight, stats: measured))
                if let cBench {
                    let target =
                        name == "unix"
                        ? ["--socket", discovered["socket"] ?? ""]
                        : ["--tls", "127.0.0.1:\(lifedPort)", "--ca", pki + "/ca.pem", "--cert", clientCert, "--key", clientKey]
                    let stats = try CBench.run(
                        cBench, target + ["--seconds", "\(seconds)", "--connections", "\(connections)", "--in-flight", "\(inFlight)"])
                    rows.append(
                        Row(transport: name, workload: "C client Health.Check", connections: connections, inFlight: inFlight, stats: stats))
                }
                FileHandle.standardError.write(Data("measured \(name) \(connections)x\(inFlight)\n".utf8))
            }
        }
        print(Row.table(rows))

        // Login (real scrypt cost, as configured) and WhoAmI latency while logins run.
        let unixEndpoint = ClientEndpoint.unix(path: discovered["socket"] ?? "")
        let tlsEndpoint = ClientEndpoint.tls(host: "127.0.0.1", port: lifedPort, options: tlsOptions)
        try await LoginLoad.prepare(unix: unixEndpoint, tls: tlsEndpoint)
        var authRows: [String] = [
            "| workload | concurrent logins | calls/s | p50 µs | p99 µs |",
            "|---|---:|---:|---:|---:|",
        ]
        let idle = try await LoginLoad.run(tls: tlsEndpoint, loggers: 0, duration: duration)
        authRows.append(Self.authRow("WhoAmI, no logins running", 0, idle.whoAmI))
        for loggers in [1, 4] {
            let (logins, whoAmI) = try await LoginLoad.run(tls: tlsEndpoint, loggers: loggers, duration: duration)
            authRows.append(Self.authRow("Login", loggers, logins))
            authRows.append(Self.authRow("WhoAmI while logins run", loggers, whoAmI))
        }
        print("")
        print(authRows.joined(separator: "\n"))
    }

    private static func authRow(_ name: String, _ loggers: Int, _ stats: LatencyStats) -> String {
        "| \(name) | \(loggers) | "
            + String(format: "%.1f | %.0f | %.0f |", stats.callsPerSecond, stats.percentile(0.5), stats.percentile(0.99))
    }
}

struct Row {
    let transport: String
    let workload: String
    let connections: Int
    let inFlight: Int
    let stats: LatencyStats

    static func table(_ rows: [Row]) -> String {
        var lines = [
            "| transport | workload | connections × in flight | calls/s | p50 µs | p99 µs | vs floor |",
            "|---|---|---|---:|---:|---:|---:|",
        ]
        for (index, row) in rows.enumerated() {
            let latency = row.inFlight == 1
            let p50 = latency ? String(format: "%.0f", row.stats.percentile(0.5)) : "–"
            let p99 = latency ? String(format: "%.0f", row.stats.percentile(0.99)) : "–"
            var ratio = ""
            if row.workload.hasPrefix("lifed"), index > 0 {
                let floor = rows[index - 1].stats
                ratio =
                    latency
                    ? String(format: "p50 %.2f×", row.stats.percentile(0.5) / max(floor.percentile(0.5), 1))
                    : String(format: "%.2f× calls/s", row.stats.callsPerSecond / max(floor.callsPerSecond, 1))
                // Also against the ping-pong floor with as many connections (one frame each in flight).
                if !latency,
                    let pingPong = rows.first(where: {
                        $0.transport == row.transport && $0.workload.hasPrefix("echo") && $0.connections == row.connections
                            && $0.inFlight == 1
                    })
                {
                    ratio += String(
                        format: "; %.2f× of the %d × 1 floor", row.stats.callsPerSecond / max(pingPong.stats.callsPerSecond, 1),
                        row.connections)
                }
            }
            lines.append(
                "| \(row.transport) | \(row.workload) | \(row.connections) × \(row.inFlight) | "
                    + String(format: "%.0f", row.stats.callsPerSecond) + " | \(p50) | \(p99) | \(ratio) |"
            )
        }
        return lines.joined(separator: "\n")
    }
}
