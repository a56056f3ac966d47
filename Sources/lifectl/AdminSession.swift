import ArgumentParser
import Foundation
import LifeClient
import LifeWire

/// Runs an admin command over the Unix socket and turns failures into a message and exit code 1.
enum AdminSession {
    static func run<T: Sendable>(_ connection: ConnectionOptions, _ body: @Sendable (LifeClient) async throws -> T) async throws -> T {
        let endpoint = try connection.endpoint()
        guard case .unix = endpoint else {
            throw ValidationError("admin commands work over the Unix socket only (drop --tls)")
        }
        do {
            return try await LifeClient.withConnection(to: endpoint, connectTimeout: connection.timeoutDuration, body)
        } catch let error as RPCError {
            CommandFailure.report(error)
            throw ExitCode(1)
        }
    }

    /// A secret from a file, or from standard input (one line) when the path is "-"; never from
    /// the command line, where other users could read it in the process list.
    static func readSecret(from path: String, what: String) throws -> String {
        let text: String
        if path == "-" {
            guard let line = readLine(strippingNewline: true) else { throw ValidationError("no \(what) on standard input") }
            text = line
        } else {
            guard let contents = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ValidationError("cannot read \(what) from \(path)")
            }
            text = contents.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        }
        guard !text.isEmpty else { throw ValidationError("the \(what) is empty") }
        return text
    }
}

extension Date {
    var lifectlText: String { ISO8601DateFormatter().string(from: self) }
}
