import ArgumentParser
import Foundation
import LifeDaemon
import LifeServer
import Logging

@main
struct Lifed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lifed",
        abstract: "The LIFE server: care facilities' appliances call it over mutual TLS; operators use lifectl over a Unix socket.",
        discussion: """
            Configuration is one file of `key = value` lines (default keys and their meaning: \
            Systemd/lifed.conf.example); --set overrides any key. Invalid values refuse start, \
            naming the key. Under systemd (Type=notify) lifed reports READY once the listeners are \
            bound; it serves the listening sockets systemd passes (lifed.socket: LISTEN_FDS, \
            matched by FileDescriptorName= unix/tls or by kind) instead of binding its own; SIGHUP reloads TLS files, CRLs and limits without dropping connections; SIGTERM \
            drains calls in flight within shutdown.grace_period and exits 0.

            Development: `lifed --dev` creates, once, a CA, a server certificate, two sample \
            facility client certificates and a data folder under ./lifed-dev, then serves on \
            ./lifed-dev/lifed.sock and 127.0.0.1:7443. `lifectl probe` run from the same folder \
            finds it.
            """,
        version: LifedVersion.current
    )

    @Option(name: .shortAndLong, help: "Configuration file (key = value lines).")
    var config: String?

    @Option(
        name: .customLong("set"),
        help: ArgumentHelp("Override one configuration key, e.g. --set log.level=debug. Repeatable.", valueName: "key=value"))
    var overrides: [String] = []

    @Flag(help: "Development mode: create certificates and a data folder under --dev-dir once, then serve locally.")
    var dev = false

    @Option(help: "Folder for --dev.")
    var devDir = "lifed-dev"

    @Option(help: "TLS port for --dev (0 picks a free port).")
    var devPort = 7443

    @Flag(help: "Check the configuration and the TLS files, print the result and exit.")
    var checkConfig = false

    mutating func run() async throws {
        // Everything lifed creates — database, WAL, backups, --dev keys — is its own only, whatever
        // umask it was started with (systemd's unit sets 0077 too; a shell often has 0022).
        umask(0o077)
        // Sockets systemd passed (lifed.socket): taken first, so no child ever sees LISTEN_*.
        let sockets: PassedSockets
        do {
            sockets = try PassedSockets.takeFromEnvironment()
        } catch {
            printError("lifed: cannot start: \(error)")
            throw ExitCode(1)
        }
        var source = Daemon.ConfigSource(path: config, overrides: overrides)
        if dev {
            let environment = try DevEnvironment.prepare(folder: devDir, tlsPort: devPort)
            source.path = source.path ?? environment.configPath
            source.base.auditAnchorKeyPath = environment.auditAnchorKeyPath
            printLine(environment.summary)
        }
        let loaded: DaemonConfig
        do {
            loaded = try source.load()
        } catch {
            printError("lifed: configuration error: \(error)")
            throw ExitCode(78)  // EX_CONFIG
        }
        let level = loaded.logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "lifed")
        if checkConfig {
            do {
                if loaded.tlsListen != nil {
                    for warning in try TLSMaterial.load(loaded.tls).warnings { printLine("warning: \(warning)") }
                }
                _ = try loaded.auditAnchorKey()
                printLine("configuration OK")
                return
            } catch {
                printError("lifed: \(error)")
                throw ExitCode(78)
            }
        }
        let daemon: Daemon
        do {
            daemon = try await Daemon.build(source: source, logger: logger, sockets: sockets)
        } catch let error as ConfigError {
            printError("lifed: configuration error: \(error)")
            throw ExitCode(78)
        } catch {
            printError("lifed: cannot start: \(error)")
            throw ExitCode(1)
        }
        if dev {
            let environment = try DevEnvironment.prepare(folder: devDir, tlsPort: devPort)
            try environment.writeClientConfig(socket: daemon.unixListener.address, tlsAddress: daemon.tlsListener?.address)
            printLine("lifed --dev: \(daemon.statusLine)")
        }
        try await daemon.run()
    }

    /// Writes a line to standard output at once (no buffering, so a pipe or the journal sees it).
    private func printLine(_ message: String) {
        FileHandle.standardOutput.write(Data((message + "\n").utf8))
    }

    private func printError(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}
