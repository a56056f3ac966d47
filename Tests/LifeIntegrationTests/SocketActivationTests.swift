import Foundation
import LifeClient
import LifeWire
import Synchronization
import TestSupport
import Testing

/// lifed under socket activation (LISTEN_FDS, as systemd passes lifed.socket's sockets), and
/// `LifeChannel`'s transparent retry: a restart under load fails no call.
@Suite("socket activation")
struct SocketActivationTests {
    @Test("lifed started by systemd-socket-activate serves the passed sockets, says so, and leaves them in place")
    func servesPassedSockets() async throws {
        let activate = try #require(Self.systemdSocketActivate, "systemd-socket-activate is missing (Debian package systemd)")
        let pki = try TestPKI(folder: TemporaryDirectory())
        let notify = try NotifyListener(path: pki.folder.file("notify.sock"))
        let unixPath = pki.folder.file("lifed.sock")
        let port = try Self.freePort()
        let settings = TestDaemon.configuration(folder: pki.folder)
        let child = ChildProcess(
            activate,
            ["-l", "127.0.0.1:\(port)", "-l", unixPath, "--fdname=tls:unix", "-E", "NOTIFY_SOCKET=\(notify.path)", Products.path("lifed")]
                + settings.flatMap { ["--set", $0] })
        try child.start()
        #expect(await eventually { FileManager.default.fileExists(atPath: unixPath) }, "stderr: \(child.standardError)")
        // systemd-socket-activate starts lifed on the first connection, which waits in the queue.
        let unix = try await LifeClient.withConnection(to: .unix(path: unixPath)) { try await $0.health.check(.init()) }
        #expect(unix.status == .serving)
        let tls = try await LifeClient.withConnection(to: Self.tlsEndpoint(pki, port: port)) { try await $0.health.check(.init()) }
        #expect(tls.status == .serving)
        let ready = await notify.waitFor("READY=1")
        #expect(ready.joined().contains("STATUS=serving on unix \(unixPath), tls 127.0.0.1:\(port)"), "got \(ready)")
        let log = child.standardError
        #expect(log.contains("listener=unix socket=passed by systemd") || log.contains("socket=passed by systemd"), "stderr: \(log)")
        #expect(log.components(separatedBy: "passed by systemd").count - 1 == 2, "both listeners say so: \(log)")
        child.signal(SIGTERM)
        #expect(await child.waitForExit() == 0)
        // The socket file is systemd's: lifed leaves it for the next start.
        #expect(FileManager.default.fileExists(atPath: unixPath))
        pki.folder.remove()
    }

    @Test("restarts under a steady load fail no call: the sockets queue connections, the client retries what GOAWAY refused")
    func restartUnderLoad() async throws {
        let pki = try TestPKI(folder: TemporaryDirectory())
        let notify = try NotifyListener(path: pki.folder.file("notify.sock"))
        let activator = try SocketActivator(unixPath: pki.folder.file("lifed.sock"))
        let settings = TestDaemon.configuration(folder: pki.folder)
        let arguments = settings.flatMap { ["--set", $0] }
        let logPath = pki.folder.file("lifed.log")
        let first = try activator.start(Products.path("lifed"), arguments, environment: ["NOTIFY_SOCKET": notify.path], logPath: logPath)
        _ = await notify.waitFor("READY=1")

        // Never re-send a call that may have run: only calls the server did not process are retried.
        let policy = RetryPolicy(idempotentMethods: [])
        let load = CallLoad()
        let restarts = 2
        let pids = try await LifeChannel.withChannel(to: .unix(path: activator.unixPath), retryPolicy: policy) { unix in
            try await LifeChannel.withChannel(to: Self.tlsEndpoint(pki, port: activator.tlsPort), retryPolicy: policy) { tls in
                try await withThrowingTaskGroup(of: Void.self, returning: [pid_t].self) { group in
                    var pids = [first]
                    for caller in 0..<8 {
                        let channel = caller % 2 == 0 ? unix : tls
                        group.addTask { await load.run { _ = try await channel.health.check(.init(), deadline: .after(.seconds(20))) } }
                    }
                    try await Task.sleep(for: .milliseconds(500))
                    for _ in 0..<restarts {
                        #expect(await activator.stop() == 0)
                        load.markRestart()
                        pids.append(
                            try activator.start(
                                Products.path("lifed"), arguments, environment: ["NOTIFY_SOCKET": notify.path], logPath: logPath))
                        _ = await notify.waitFor("READY=1")
                        try await Task.sleep(for: .milliseconds(500))
                    }
                    load.stop()
                    try await group.waitForAll()
                    return pids
                }
            }
        }
        let summary = load.summary
        #expect(summary.failures.isEmpty, "failed calls: \(summary.failures.prefix(5)) of \(summary.succeeded + summary.failures.count)")
        #expect(summary.succeededAfterLastRestart > 0, "calls went on after the restart")
        #expect(Set(pids).count == restarts + 1)
        let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        #expect(
            log.components(separatedBy: "socket=passed by systemd").count - 1 == 2 * (restarts + 1), "every start served the passed sockets"
        )
        #expect(await activator.stop() == 0)
        pki.folder.remove()
    }

    /// The figures in README ("Restarts without failed calls"): 20 restarts under load with and
    /// without socket activation. Opt-in (`LIFED_MEASURE_RESTARTS=1`): it measures, asserts nothing
    /// about speed, and takes about a minute.
    @Test(
        "measure: 20 restarts under load, with and without socket activation",
        .enabled(if: ProcessInfo.processInfo.environment["LIFED_MEASURE_RESTARTS"] != nil))
    func measureRestarts() async throws {
        for (socketActivated, retrying) in [(true, true), (false, true), (true, false), (false, false)] {
            let pki = try TestPKI(folder: TemporaryDirectory())
            let notify = try NotifyListener(path: pki.folder.file("notify.sock"))
            let unixPath = pki.folder.file("lifed.sock")
            let activator = socketActivated ? try SocketActivator(unixPath: unixPath) : nil
            let port = try activator?.tlsPort ?? Self.freePort()
            let arguments = (TestDaemon.configuration(folder: pki.folder) + ["tls.listen=127.0.0.1:\(port)"]).flatMap { ["--set", $0] }
            let lifed = RestartableLifed(
                activator: activator, arguments: arguments, notifySocket: notify.path, logPath: pki.folder.file("lifed.log"))
            try lifed.start()
            _ = await notify.waitFor("READY=1")
            let load = CallLoad()
            let policy = retrying ? RetryPolicy(idempotentMethods: []) : .never
            let restarts = 20
            let windows = try await LifeChannel.withChannel(to: .unix(path: unixPath), retryPolicy: policy) { unix in
                try await LifeChannel.withChannel(to: Self.tlsEndpoint(pki, port: port), retryPolicy: policy) { tls in
                    try await withThrowingTaskGroup(of: Void.self, returning: [RestartWindow].self) { group in
                        for caller in 0..<8 {
                            let channel = caller % 2 == 0 ? unix : tls
                            group.addTask { await load.run { _ = try await channel.health.check(.init(), deadline: .after(.seconds(20))) } }
                        }
                        var windows: [RestartWindow] = []
                        for _ in 0..<restarts {
                            try await Task.sleep(for: .milliseconds(300))
                            let signalled = ContinuousClock.now
                            _ = await lifed.stop()
                            let spawned = ContinuousClock.now
                            try lifed.start()
                            _ = await notify.waitFor("READY=1")
                            windows.append(RestartWindow(signalled: signalled, spawned: spawned, ready: .now))
                        }
                        try await Task.sleep(for: .milliseconds(300))
                        load.stop()
                        try await group.waitForAll()
                        return windows
                    }
                }
            }
            _ = await lifed.stop()
            let summary = load.summary
            let completions = summary.completions.sorted()
            let toReady = windows.map { $0.spawned.duration(to: $0.ready) }
            // The longest time without any completed call around each restart.
            let gaps = windows.map { window -> Duration in
                let before = completions.last { $0 <= window.signalled } ?? window.signalled
                let around = completions.filter { $0 > window.signalled && $0 <= window.ready + .seconds(1) }
                return zip([before] + around, around).map { $0.duration(to: $1) }.max() ?? .zero
            }
            func figures(_ values: [Duration]) -> String {
                let sorted = values.sorted()
                return "median \(sorted[sorted.count / 2]), max \(sorted.last!)"
            }
            print(
                "restarts (\(socketActivated ? "socket activation" : "lifed binds its own sockets"), \(retrying ? "LifeChannel retries" : "no retries")): \(restarts), calls \(summary.succeeded + summary.failures.count), failed \(summary.failures.count); spawn to READY=1 \(figures(toReady)); longest gap between completed calls \(figures(gaps)); failures: \(Array(Set(summary.failures)).prefix(3))"
            )
            pki.folder.remove()
        }
    }

    /// lifed started again and again, by `activator` with its sockets, or binding its own.
    private final class RestartableLifed: Sendable {
        let activator: SocketActivator?
        let arguments: [String]
        let notifySocket: String
        let logPath: String
        let child = Mutex<ChildProcess?>(nil)

        init(activator: SocketActivator?, arguments: [String], notifySocket: String, logPath: String) {
            (self.activator, self.arguments, self.notifySocket, self.logPath) = (activator, arguments, notifySocket, logPath)
        }

        func start() throws {
            if let activator {
                try activator.start(Products.path("lifed"), arguments, environment: ["NOTIFY_SOCKET": notifySocket], logPath: logPath)
            } else {
                let process = ChildProcess(Products.path("lifed"), arguments, environment: ["NOTIFY_SOCKET": notifySocket])
                try process.start()
                child.withLock { $0 = process }
            }
        }

        func stop() async -> Int32 {
            if let activator { return await activator.stop() }
            guard let process = child.withLock({ $0 }) else { return -1 }
            process.signal(SIGTERM)
            return await process.waitForExit()
        }
    }

    private struct RestartWindow {
        let signalled: ContinuousClock.Instant
        let spawned: ContinuousClock.Instant
        let ready: ContinuousClock.Instant
    }

    // MARK: - Helpers

    static var systemdSocketActivate: String? {
        ["/usr/bin/systemd-socket-activate", "/bin/systemd-socket-activate"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func tlsEndpoint(_ pki: TestPKI, port: Int) -> ClientEndpoint {
        .tls(
            host: "127.0.0.1", port: port,
            options: TLSClientOptions(
                caPath: pki.folder.file("ca.pem"), certificatePath: pki.certificatePath(.facilityA), privateKeyPath: pki.keyPath(.facilityA)
            ))
    }

    /// A TCP port free a moment ago (systemd-socket-activate needs a number).
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Callers that make calls back to back until stopped, counting what succeeds and what fails.
final class CallLoad: Sendable {
    struct Summary {
        var succeeded = 0
        var succeededAfterLastRestart = 0
        var failures: [String] = []
        var restarts = 0
        /// Completion times of successful calls, for the gaps a restart leaves.
        var completions: [ContinuousClock.Instant] = []
    }

    private let state = Mutex(Summary())
    private let stopped = Atomic(false)

    /// Calls `call` until `stop()`.
    func run(_ call: @Sendable () async throws -> Void) async {
        while !stopped.load(ordering: .relaxed) {
            do {
                try await call()
                let now = ContinuousClock.now
                state.withLock { state in
                    state.succeeded += 1
                    if state.restarts > 0 { state.succeededAfterLastRestart += 1 }
                    state.completions.append(now)
                }
            } catch {
                state.withLock { $0.failures.append("\(error)") }
            }
        }
    }

    /// A restart began: calls that succeed from now on count as after it.
    func markRestart() {
        state.withLock { state in
            state.restarts += 1
            state.succeededAfterLastRestart = 0
        }
    }

    func stop() { stopped.store(true, ordering: .relaxed) }

    var summary: Summary { state.withLock { $0 } }
}
