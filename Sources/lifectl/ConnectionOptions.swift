import ArgumentParser
import Foundation
import LifeClient

/// Where lifectl connects, shared by every subcommand.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "Path of lifed's Unix socket.")
    var socket: String?

    @Flag(help: "Connect over TLS with a facility certificate instead of the Unix socket.")
    var tls = false

    @Option(help: ArgumentHelp("TLS address of lifed.", valueName: "host:port"))
    var address: String?

    @Option(help: "PEM bundle of the CA that signed lifed's server certificate.")
    var ca: String?

    @Option(help: "PEM client (facility) certificate.")
    var cert: String?

    @Option(help: "PEM private key of --cert.")
    var key: String?

    @Option(help: "Seconds to wait for connecting and for each call.")
    var timeout: Double = 5

    /// The endpoint from flags, the environment, ./lifed-dev/lifectl.conf or the default path.
    func endpoint() throws -> ClientEndpoint {
        let discovered = DiscoveredDaemon.load()
        if tls {
            guard let address = address ?? discovered?.tls else {
                throw ValidationError("--tls needs --address host:port (no ./lifed-dev/lifectl.conf found)")
            }
            guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]) else {
                throw ValidationError("--address must be host:port, got \(address)")
            }
            var host = String(address[..<colon])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard let ca = ca ?? discovered?.ca else {
                throw ValidationError("--tls needs --ca (the CA of the server certificate)")
            }
            let options = TLSClientOptions(
                caPath: ca,
                certificatePath: cert ?? discovered?.cert,
                privateKeyPath: key ?? discovered?.key
            )
            return .tls(host: host, port: port, options: options)
        }
        let path = socket ?? ProcessInfo.processInfo.environment["LIFED_SOCKET"] ?? discovered?.socket ?? "/run/lifed/lifed.sock"
        return .unix(path: path)
    }

    var timeoutDuration: Duration { .milliseconds(Int64(timeout * 1000)) }
}
