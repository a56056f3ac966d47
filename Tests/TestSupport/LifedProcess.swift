import Foundation
import LifeClient
import Testing

/// The real lifed executable as a child process, on the test configuration of a folder: for tests
/// that kill it (-9), restart it on the same data, or read its process-level behaviour.
public struct LifedProcess: Sendable {
    public let child: ChildProcess
    public let pki: TestPKI
    /// The port of its TLS listener (127.0.0.1).
    public let port: Int

    public var unixEndpoint: ClientEndpoint { .unix(path: pki.folder.file("lifed.sock")) }

    /// Starts lifed with `TestDaemon.configuration(folder:)` plus `settings` and waits until its
    /// Unix socket serves and it has logged its TLS address.
    public static func start(_ pki: TestPKI, settings: [String] = []) async throws -> LifedProcess {
        let arguments = (TestDaemon.configuration(folder: pki.folder) + settings).flatMap { ["--set", $0] }
        let child = ChildProcess(Products.path("lifed"), arguments)
        try child.start()
        let socket = pki.folder.file("lifed.sock")
        let serving = await eventually(timeout: .seconds(20)) {
            (try? await LifeClient.withConnection(to: .unix(path: socket)) { try await $0.health.check(.init()).status }) == .serving
        }
        #expect(serving, "lifed did not serve: \(child.standardError)")
        // The listeners' line may reach stderr a moment after the socket serves.
        _ = await eventually(timeout: .seconds(10)) { child.standardError.contains("tls 127.0.0.1:") }
        let match = try #require(child.standardError.firstMatch(of: /tls 127\.0\.0\.1:(\d+)/), "\(child.standardError)")
        return LifedProcess(child: child, pki: pki, port: try #require(Int(match.1)))
    }

    /// Its TLS endpoint presenting `client`'s certificate.
    public func tlsEndpoint(_ client: TestPKI.Client) -> ClientEndpoint {
        .tls(
            host: "127.0.0.1", port: port,
            options: TLSClientOptions(
                caPath: pki.folder.file("ca.pem"), certificatePath: pki.certificatePath(client), privateKeyPath: pki.keyPath(client)))
    }
}
