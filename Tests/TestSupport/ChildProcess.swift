import Foundation

/// A program run by a test, with its output collected.
public final class ChildProcess: @unchecked Sendable {
    public let process = Process()
    private let outputFolder: TemporaryDirectory

    /// Output goes to files, not pipes: a pipe read can fail with EINTR when a child exits.
    public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:], directory: String? = nil) {
        outputFolder = try! TemporaryDirectory(prefix: "lifed-out")
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "NOTIFY_SOCKET")
        env.removeValue(forKey: "WATCHDOG_USEC")
        for (key, value) in environment { env[key] = value }
        process.environment = env
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        _ = FileManager.default.createFile(atPath: outputFolder.file("stdout"), contents: nil)
        _ = FileManager.default.createFile(atPath: outputFolder.file("stderr"), contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: outputFolder.file("stdout"))
        process.standardError = FileHandle(forWritingAtPath: outputFolder.file("stderr"))
    }

    deinit { outputFolder.remove() }

    public func start() throws { try process.run() }

    /// The output so far, decoded leniently: one byte that is not UTF-8 (a protocol frame a
    /// child printed) must not make the whole text disappear.
    public var standardOutput: String { Self.text(outputFolder.file("stdout")) }
    public var standardError: String { Self.text(outputFolder.file("stderr")) }

    private static func text(_ path: String) -> String {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    public func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits (off the cooperative pool) for the exit; kills the process after `timeout`.
    public func waitForExit(timeout: Duration = .seconds(30)) async -> Int32 {
        let process = self.process
        let exited = await offPool {
            let deadline = Date().addingTimeInterval(Double(timeout.components.seconds))
            while process.isRunning && Date() < deadline { usleep(20_000) }
            return !process.isRunning
        }
        if !exited {
            process.terminate()
            _ = await offPool { process.waitUntilExit() }
        }
        return exited ? process.terminationStatus : -1
    }

    /// Runs to the end and returns the exit status and output.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:], directory: String? = nil)
        async throws -> (status: Int32, stdout: String, stderr: String)
    {
        let child = ChildProcess(executable, arguments, environment: environment, directory: directory)
        try child.start()
        let status = await child.waitForExit()
        return (status, child.standardOutput, child.standardError)
    }
}
