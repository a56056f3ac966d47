import Foundation
import LifeClient
import LifeDaemon
import LifeProto
import LifeWire
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

private typealias F = TestFacilities

/// The Prometheus endpoint (`metrics.listen`) over the real daemon: a scrape after a known set
/// of calls shows exactly those counts; the endpoint is off by default, local only, and answers
/// nothing but `GET /metrics`.
@Suite("Metrics")
struct MetricsTests {
    @Test("a scrape after 3 Health.Check, 2 failed logins (the second locks) and 1 CreateRecipient shows those counts")
    func scrapeAfterKnownCalls() async throws {
        let daemon = try await TestDaemon.start(["metrics.listen=127.0.0.1:0", "auth.lock_after=2"])
        let port = try #require(daemon.daemon.metricsEndpoint?.port)
        #expect(daemon.daemon.statusLine.contains("metrics 127.0.0.1:\(port)"))
        try await LifeClient.withConnection(to: daemon.unixEndpoint) { client in
            for _ in 0..<3 { _ = try await client.health.check(.init()) }
        }
        // Seeds A and B (over the Unix socket), logs admin-a in twice (initial, then changed password).
        try await RecipientsTests.withTerminals(daemon, [.facilityA]) { terminals in
            for _ in 0..<2 {
                await #expect(throws: RPCError.self) {
                    try await LifeClient.withConnection(to: daemon.tlsEndpoint(.facilityB)) {
                        _ = try await F.login($0, "admin-b", "Wrong-2026!")
                    }
                }
            }
            _ = try await RecipientsTests.create(terminals[0], RecipientsTests.sample())
            // The terminal's connection is open while it scrapes.
            #expect(await eventually { (try? await Self.scrape(port: port).value("lifed_connections_open", ["listener": "tls"])) == 1 })
        }

        let metrics = try await Self.scrape(port: port)
        if ProcessInfo.processInfo.environment["LIFED_PRINT_SCRAPE"] != nil { print(metrics.lines.joined(separator: "\n")) }
        #expect(metrics.value("lifed_calls_total", ["method": "/life.v1.Health/Check", "status": "OK"]) == 3)
        #expect(metrics.value("lifed_call_duration_seconds_count", ["method": "/life.v1.Health/Check"]) == 3)
        #expect(metrics.value("lifed_calls_total", ["method": "/life.v1.Auth/Login", "status": "UNAUTHENTICATED"]) == 2)
        #expect(metrics.value("lifed_login_failures_total", ["reason": "WRONG_PASSWORD"]) == 1)
        #expect(metrics.value("lifed_login_failures_total", ["reason": "WRONG_PASSWORD_LOCKED"]) == 1)
        #expect(metrics.value("lifed_login_lockouts_total", [:]) == 1)
        #expect(metrics.value("lifed_calls_total", ["method": "/life.v1.Recipients/CreateRecipient", "status": "OK"]) == 1)
        // The seed: two facilities and their admins, over the Unix socket.
        #expect(metrics.value("lifed_calls_total", ["method": "/life.v1.Admin/CreateFacility", "status": "OK"]) == 2)
        // Logins that worked: initial password, then the changed one.
        #expect(metrics.value("lifed_calls_total", ["method": "/life.v1.Auth/Login", "status": "OK"]) == 2)
        #expect(metrics.value("lifed_calls_total", ["method": "/life.v1.Admin/CreateFacilityAdmin", "status": "OK"]) == 2)
        #expect(metrics.value("lifed_calls_total", ["method": "/life.v1.Auth/ChangePassword", "status": "OK"]) == 1)
        #expect(metrics.series(named: "lifed_calls_total").count == 7, "no other method or status was counted")
        #expect((metrics.value("lifed_store_commit_duration_seconds_count", [:]) ?? 0) > 0)
        #expect(metrics.value("lifed_store_commit_queue_depth", [:]) != nil)
        #expect((metrics.value("lifed_database_size_bytes", ["file": "database"]) ?? 0) > 0)
        #expect(metrics.value("lifed_connections_open", ["listener": "unix"]) != nil)
        #expect(metrics.value("lifed_verification_job_processed_recipients", [:]) == 0, "no job runs")
        try await daemon.stop()
    }

    @Test("failed TLS handshakes are counted by reason: a refused certificate, no certificate, a connection that never finishes")
    func handshakeFailures() async throws {
        let daemon = try await TestDaemon.start(["metrics.listen=127.0.0.1:0", "tls.handshake_timeout=3s"])
        let port = try #require(daemon.daemon.metricsEndpoint?.port)
        for client in [TestPKI.Client.unknownCA, nil] {
            await #expect(throws: (any Error).self) {
                try await LifeClient.withConnection(to: daemon.tlsEndpoint(client)) { _ = try await $0.health.check(.init()) }
            }
        }
        // A TCP connection that never starts its TLS handshake.
        let silent = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(silent) }
        #expect(Self.connectIPv4(silent, "127.0.0.1", try #require(daemon.daemon.tlsListener?.port)))
        let failures = { (reason: String) in
            (try? await Self.scrape(port: port).value("lifed_tls_handshake_failures_total", ["listener": "tls", "reason": reason])) ?? 0
        }
        #expect(await eventually { await failures("certificate_refused") == 1 })
        #expect(await eventually { await failures("tls_error") >= 1 })
        // At least the silent one: on a loaded machine a refused handshake can outlast the timeout too.
        #expect(await eventually(timeout: .seconds(15)) { await failures("timeout") >= 1 })
        let events = try await Self.scrape(port: port).value("lifed_peer_events_total", ["listener": "tls", "kind": "handshake_failed"])
        #expect((events ?? 0) >= 3)
        try await daemon.stop()
    }

    @Test("metrics.listen is refused for any address another machine could reach; loopback and Unix paths are accepted")
    func configRefusesNonLoopback() async throws {
        for value in ["0.0.0.0:9464", "[::]:9464", "192.168.1.10:9464", "10.0.0.1:9464", "localhost:9464", "unix:relative.sock", "9464"] {
            let error = #expect(throws: ConfigError.self, "\(value)") {
                try DaemonConfig.load(path: nil, overrides: ["metrics.listen=\(value)"])
            }
            #expect(error?.key == "metrics.listen")
        }
        for value in ["127.0.0.1:9464", "127.0.0.2:9464", "[::1]:9464", "unix:/run/lifed/metrics.sock", ""] {
            #expect(throws: Never.self, "\(value)") { try DaemonConfig.load(path: nil, overrides: ["metrics.listen=\(value)"]) }
        }
        // The daemon refuses to start with it, naming the key.
        let error = await #expect(throws: ConfigError.self) { _ = try await TestDaemon.start(["metrics.listen=0.0.0.0:0"]) }
        #expect(error?.description.contains("metrics.listen") == true)
        #expect(error?.description.contains("not a loopback address") == true)
    }

    @Test("off by default: no endpoint; the TCP endpoint is not reachable on this machine's other addresses")
    func offByDefaultAndLocalOnly() async throws {
        let plain = try await TestDaemon.start()
        #expect(plain.daemon.metricsEndpoint == nil)
        #expect(!plain.daemon.statusLine.contains("metrics"))
        try await plain.stop()

        let daemon = try await TestDaemon.start(["metrics.listen=127.0.0.1:0"])
        let port = try #require(daemon.daemon.metricsEndpoint?.port)
        #expect(try await Self.request("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", port: port).hasPrefix("HTTP/1.1 200 OK"))
        for address in Self.nonLoopbackIPv4Addresses() {
            #expect(Self.connects(to: address, port: port) == false, "reachable on \(address)")
        }
        try await daemon.stop()
    }

    @Test("only GET /metrics is answered: 404 elsewhere, 405 for other methods, oversized requests closed unanswered; a Unix socket works")
    func strictResponder() async throws {
        let daemon = try await TestDaemon.start(["metrics.listen=127.0.0.1:0"])
        let port = try #require(daemon.daemon.metricsEndpoint?.port)
        let ok = try await Self.request("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", port: port)
        #expect(ok.hasPrefix("HTTP/1.1 200 OK"))
        #expect(ok.contains("text/plain; version=0.0.4"))
        #expect(try await Self.request("GET / HTTP/1.1\r\nHost: x\r\n\r\n", port: port).hasPrefix("HTTP/1.1 404"))
        #expect(try await Self.request("GET /metrics/../x HTTP/1.1\r\nHost: x\r\n\r\n", port: port).hasPrefix("HTTP/1.1 404"))
        #expect(
            try await Self.request("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", port: port).hasPrefix("HTTP/1.1 405"))
        let huge = "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Pad: \(String(repeating: "a", count: 20_000))\r\n\r\n"
        #expect(try await Self.request(huge, port: port).isEmpty, "closed before any answer")
        #expect(try await Self.request("NOT HTTP AT ALL\r\n\r\n", port: port).isEmpty)
        try await daemon.stop()

        let folder = try TemporaryDirectory()
        let path = folder.file("metrics.sock")
        let local = try await TestDaemon.start(["metrics.listen=unix:\(path)"])
        var status = stat()
        #expect(stat(path, &status) == 0 && status.st_mode & 0o777 == 0o660)
        let socket = try RawSocket(path: path)
        socket.send(Array("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        let answer = String(decoding: await socket.readToEndOffPool().bytes, as: UTF8.self)
        #expect(answer.hasPrefix("HTTP/1.1 200 OK"))
        #expect(answer.contains("lifed_connections_open{listener=\"unix\"}"))
        try await local.stop()
        #expect(!FileManager.default.fileExists(atPath: path), "the socket file goes with the daemon")
        folder.remove()
    }

    // MARK: - Helpers

    /// A parsed scrape.
    struct Scrape {
        let lines: [String]

        /// The series of `name` as (labels, value).
        func series(named name: String) -> [([String: String], Double)] {
            lines.compactMap { line in
                guard !line.hasPrefix("#"), let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...])
                else { return nil }
                let key = line[..<space]
                let (metric, labelText) =
                    if let brace = key.firstIndex(of: "{") {
                        (String(key[..<brace]), String(key[key.index(after: brace)...].dropLast()))
                    } else {
                        (String(key), "")
                    }
                guard metric == name else { return nil }
                var labels: [String: String] = [:]
                for pair in labelText.split(separator: ",") {
                    let parts = pair.split(separator: "=", maxSplits: 1)
                    if parts.count == 2 { labels[String(parts[0])] = String(parts[1].dropFirst().dropLast()) }
                }
                return (labels, value)
            }
        }

        func value(_ name: String, _ labels: [String: String]) -> Double? {
            series(named: name).first { $0.0 == labels }?.1
        }
    }

    static func scrape(port: Int) async throws -> Scrape {
        let answer = try await request("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", port: port)
        guard let split = answer.range(of: "\r\n\r\n"), answer.hasPrefix("HTTP/1.1 200 OK") else {
            throw RPCError(.unknown, "bad scrape: \(answer.prefix(200))")
        }
        return Scrape(lines: answer[split.upperBound...].split(separator: "\n").map(String.init))
    }

    /// Sends `text` to 127.0.0.1:`port` and reads until the server closes (off the pool).
    static func request(_ text: String, port: Int) async throws -> String {
        try await offPool { () -> Result<String, RPCError> in
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { return .failure(RPCError(.unknown, "socket")) }
            defer { close(fd) }
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            guard connectIPv4(fd, "127.0.0.1", port) else { return .failure(RPCError(.unknown, "connect")) }
            let bytes = Array(text.utf8)
            _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if count <= 0 { break }
                received += buffer[..<count]
            }
            return .success(String(decoding: received, as: UTF8.self))
        }.get()
    }

    static func connectIPv4(_ fd: Int32, _ host: String, _ port: Int) -> Bool {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    static func connects(to host: String, port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        return connectIPv4(fd, host, port)
    }

    /// This machine's own IPv4 addresses outside 127.0.0.0/8 (none in a bare network namespace).
    static func nonLoopbackIPv4Addresses() -> [String] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { return [] }
        defer { freeifaddrs(list) }
        var found: [String] = []
        var entry = list
        while let current = entry {
            defer { entry = current.pointee.ifa_next }
            guard let address = current.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET) else { continue }
            var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            guard getnameinfo(address, socklen_t(MemoryLayout<sockaddr_in>.size), &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) == 0
            else { continue }
            let text = String(cString: host)
            if !text.hasPrefix("127.") { found.append(text) }
        }
        return found
    }
}
