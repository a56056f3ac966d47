import ArgumentParser
import Foundation
import LifeClient
import LifeWire

/// Runs a facility staff command: over TLS with a facility certificate, carrying the session
/// token that `lifectl login` saved (or `$LIFECTL_SESSION`). Failures become a message and exit 1.
enum StaffSession {
    static func run<T: Sendable>(
        _ connection: ConnectionOptions, _ session: SessionOptions, _ body: @Sendable (LifeClient, [String: String]) async throws -> T
    ) async throws -> T {
        let token = try session.token()
        return try await connect(connection) { client in try await body(client, ["authorization": "Bearer \(token)"]) }
    }

    /// Connects over TLS (even without --tls) and reports failures as `AdminSession` does.
    static func connect<T: Sendable>(_ connection: ConnectionOptions, _ body: @Sendable (LifeClient) async throws -> T) async throws -> T {
        var connection = connection
        connection.tls = true
        let endpoint = try connection.endpoint()
        do {
            return try await LifeClient.withConnection(to: endpoint, connectTimeout: connection.timeoutDuration, body)
        } catch let error as RPCError {
            CommandFailure.report(error)
            throw ExitCode(1)
        }
    }
}

/// Where the session token of `lifectl login` is kept.
struct SessionOptions: ParsableArguments {
    @Option(help: "File keeping the session token (mode 0600; default $LIFECTL_SESSION_FILE, else ~/.lifectl/session).")
    var sessionFile: String?

    var path: String {
        if let sessionFile { return sessionFile }
        if let fromEnvironment = ProcessInfo.processInfo.environment["LIFECTL_SESSION_FILE"] { return fromEnvironment }
        return (ProcessInfo.processInfo.environment["HOME"] ?? ".") + "/.lifectl/session"
    }

    /// `$LIFECTL_SESSION`, else the saved token.
    func token() throws -> String {
        if let token = ProcessInfo.processInfo.environment["LIFECTL_SESSION"], !token.isEmpty { return token }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8), !text.isEmpty else {
            throw ValidationError("no session: run `lifectl login LOGIN_ID` first (or set LIFECTL_SESSION)")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Saves `token` readable by this user only.
    func save(_ token: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw ValidationError("cannot write the session file \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        fchmod(descriptor, 0o600)
        let bytes = Array((token + "\n").utf8)
        guard write(descriptor, bytes, bytes.count) == bytes.count else { throw ValidationError("cannot write the session file \(path)") }
    }
}
