import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A program run by a test, with its output collected in files.
///
/// Started with posix_spawn and reaped by a thread of its own blocked in waitpid for exactly its
/// pid, not with Foundation's `Process`: on Linux that one learns of an exit when a socket it
/// gives the child closes, then waits for the pid on the one thread that watches every child. A
/// program that closes the descriptors it inherited and goes on running (systemd-socket-activate
/// does, before it starts lifed) stalls that thread, and with it the exit of every other child
/// of the test run; the whole run then hung until CI's time ran out.
public final class ChildProcess: Sendable {
    private let executable: String
    private let arguments: [String]
    private let environment: [String: String]
    private let directory: String?
    private let outputFolder: TemporaryDirectory
    private let state = Mutex<State>(State())

    private struct State {
        var pid: pid_t = 0
        /// The raw wait status, once it has exited.
        var status: Int32?
    }

    /// Output goes to files, not pipes: a pipe's end-of-file waits for every copy of its write end.
    public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:], directory: String? = nil) {
        outputFolder = try! TemporaryDirectory(prefix: "lifed-out")
        self.executable = executable
        self.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "NOTIFY_SOCKET")
        env.removeValue(forKey: "WATCHDOG_USEC")
        for (key, value) in environment { env[key] = value }
        self.environment = env
        self.directory = directory
    }

    deinit { outputFolder.remove() }

    public func start() throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputFolder.file("stdout"), O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, outputFolder.file("stderr"), O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        // Nothing else this test process has open reaches the program.
        _ = spawnActionsAddCloseFrom(&actions, 3)
        if let directory { _ = spawnActionsAddChdir(&actions, directory) }
        let pid = try spawn(executable, arguments, environment: environment, actions: &actions)
        state.withLock { $0.pid = pid }
        let reaper = Thread { [self] in
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            state.withLock { $0.status = status }
        }
        reaper.start()
    }

    public var processIdentifier: pid_t { state.withLock { $0.pid } }

    public var isRunning: Bool { state.withLock { $0.pid != 0 && $0.status == nil } }

    /// The exit code, or the number of the signal that ended it (as Foundation's `Process`).
    public var terminationStatus: Int32 {
        guard let status = state.withLock({ $0.status }) else { return -1 }
        return status & 0x7f == 0 ? (status >> 8) & 0xff : status & 0x7f
    }

    /// The output so far, decoded leniently: one byte that is not UTF-8 (a protocol frame a
    /// child printed) must not make the whole text disappear.
    public var standardOutput: String { Self.text(outputFolder.file("stdout")) }
    public var standardError: String { Self.text(outputFolder.file("stderr")) }

    private static func text(_ path: String) -> String {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    public func signal(_ signal: Int32) {
        let pid = processIdentifier
        if pid > 0, isRunning { kill(pid, signal) }
    }

    /// Waits for the exit; kills the process after `timeout` (and returns -1).
    public func waitForExit(timeout: Duration = .seconds(30)) async -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        guard isRunning else { return terminationStatus }
        signal(SIGKILL)
        while isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        return -1
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
