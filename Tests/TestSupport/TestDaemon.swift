import Foundation
import LifeClient
import LifeDaemon
import LifeServer
import Logging

/// The real daemon, built by the same `Daemon.build` as lifed, in this process: a temp Unix
/// socket, TLS on 127.0.0.1 port 0 with certificates made now, a temp data folder.
public final class TestDaemon: Sendable {
    public let folder: TemporaryDirectory
    public let pki: TestPKI
    public let daemon: Daemon
    /// The time the daemon's login, session and recipient rules see; `advance` it to let a
    /// duration pass.
    public let clock: TestClock
    private let task: Task<Void, any Error>

    private init(folder: TemporaryDirectory, pki: TestPKI, daemon: Daemon, clock: TestClock, task: Task<Void, any Error>) {
        self.folder = folder
        self.pki = pki
        self.daemon = daemon
        self.clock = clock
        self.task = task
    }

    /// The overrides every test daemon gets; `settings` (key=value) are applied after them.
    /// Writes the audit anchor key into `folder` (beside the data folder, as deployed) if missing.
    public static func configuration(folder: TemporaryDirectory) -> [String] {
        if !FileManager.default.fileExists(atPath: folder.file("audit-anchor.key")) {
            try? folder.write(SymmetricKeyText.random(), to: "audit-anchor.key")
        }
        return [
            "data_dir=\(folder.file("data"))",
            "unix.path=\(folder.file("lifed.sock"))",
            "unix.mode=0666",
            "unix.allow_users=\(getuid())",
            "unix.allow_groups=",
            "tls.listen=127.0.0.1:0",
            "tls.certificate=\(folder.file("server.pem"))",
            "tls.private_key=\(folder.file("server-key.pem"))",
            "tls.client_ca=\(folder.file("ca.pem"))",
            "tls.crl=\(folder.file("crl.pem"))",
            "shutdown.grace_period=5s",
            // Cheap hashes: these tests check behaviour; the benchmark measures the real cost.
            "auth.scrypt=ln=10,r=8,p=1",
            "audit.anchor_key=\(folder.file("audit-anchor.key"))",
        ]
    }

    /// `setupHook` runs in the setup of every accepted connection (see `Listener.SetupHook`).
    /// `prepare` writes files the configuration needs beside the test PKI and returns more
    /// settings (applied last).
    public static func start(
        _ settings: [String] = [], setupHook: Listener.SetupHook? = nil,
        prepare: (TemporaryDirectory, TestPKI) throws -> [String] = { _, _ in [] }
    ) async throws -> TestDaemon {
        let folder = try TemporaryDirectory()
        let pki = try TestPKI(folder: folder)
        var logger = Logger(label: "lifed-test")
        logger.logLevel = .warning
        let source = Daemon.ConfigSource(path: nil, overrides: configuration(folder: folder) + settings + (try prepare(folder, pki)))
        let clock = TestClock()
        let daemon = try await Daemon.build(
            source: source, logger: logger, notifier: SystemdNotifier(environment: [:]),
            connectionSetupHook: setupHook,
            clock: clock
        )
        let task = Task { try await daemon.run() }
        return TestDaemon(folder: folder, pki: pki, daemon: daemon, clock: clock, task: task)
    }

    public var unixEndpoint: ClientEndpoint { .unix(path: daemon.unixListener.address) }

    /// The TLS endpoint presenting `client`'s certificate (nil: no certificate).
    public func tlsEndpoint(_ client: TestPKI.Client?, onlyTLS12: Bool = false) -> ClientEndpoint {
        .tls(
            host: "127.0.0.1",
            port: daemon.tlsListener!.port!,
            options: TLSClientOptions(
                caPath: folder.file("ca.pem"),
                certificatePath: client.map { pki.certificatePath($0) },
                privateKeyPath: client.map { pki.keyPath($0) },
                onlyTLS12: onlyTLS12
            )
        )
    }

    /// Graceful shutdown, then waits for the daemon to return, then removes the folder.
    public func stop() async throws {
        await daemon.shutdown()
        try await task.value
        folder.remove()
    }
}

/// 64 random hex digits: a test audit anchor key (at least 32 bytes, as the daemon requires).
enum SymmetricKeyText {
    static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }.joined()
    }
}
