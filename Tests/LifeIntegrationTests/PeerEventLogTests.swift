import Foundation
import LifeProto
import LifeWire
import NIOCore
import TestSupport
import Testing

/// What a remote peer can make the daemon log again and again stays a few lines a minute per kind
/// (then one line with the count), and a peer leaving during a stream is no error.
@Suite("Logs under attack")
struct PeerEventLogTests {
    @Test("200 connections with a bad preface log at most 10 lines of it; a peer closing during a Watch logs no error")
    func floodsAreRateLimited() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let lifed = ChildProcess(Products.path("lifed"), ["--dev", "--dev-port", "0"], directory: folder.path)
        try lifed.start()
        let socket = folder.file("lifed-dev/lifed.sock")
        try #require(await eventually(timeout: .seconds(30)) { FileManager.default.fileExists(atPath: socket) }, "\(lifed.standardError)")

        for _ in 0..<200 {
            let raw = try RawSocket(path: socket)
            raw.send(Array("GET / HTTP/1.1\r\n\r\n".utf8))
            _ = await raw.readToEndOffPool()
        }

        // A Watch, its first message read, then the client goes away without a word (the socket
        // closes with `watcher`).
        do {
            let watcher = try RawSocket(path: socket)
            var bytes = ByteBuffer(bytes: Preface.bytes)
            bytes.writeImmutableBuffer(RawFrames.headers(callID: 1, method: "/life.v1.Health/Watch"))
            Frame.writeMessage(callID: 1, bytes: [], flags: .endStream, to: &bytes)
            watcher.send(bytes)
            let first = await watcher.readFramesOffPool { $0.type == .message }
            #expect(first.last?.type == .message)
        }
        // A probe afterwards: the daemon still serves.
        let probe = try await ChildProcess.run(Products.path("lifectl"), ["probe", "--socket", socket])
        #expect(probe.status == 0, "\(probe.stderr)")

        lifed.signal(SIGTERM)
        #expect(await lifed.waitForExit() == 0)
        let lines = lifed.standardError.split(separator: "\n")
        let badPreface = lines.filter { $0.contains("preface is not LRPC") }
        #expect(badPreface.count <= 10, "\(badPreface.count) lines about bad prefaces")
        #expect(!badPreface.isEmpty, "the first bad prefaces are logged")
        let errors = lines.filter { $0.split(separator: " ").dropFirst().first.map { $0 == "error" || $0 == "critical" } ?? false }
        #expect(errors.isEmpty, "\(errors)")
    }
}
