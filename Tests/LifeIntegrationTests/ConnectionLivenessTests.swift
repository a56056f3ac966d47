import Foundation
import LifeClient
import LifeProto
import LifeWire
import NIOCore
import TestSupport
import Testing

/// Idle, keepalive and handshake limits end connections with the reason, never a hang.
@Suite("Connection liveness")
struct ConnectionLivenessTests {
    @Test("a connection without calls is closed after idle_timeout with GOAWAY IDLE_TIMEOUT")
    func idleTimeout() async throws {
        let daemon = try await TestDaemon.start(["limits.idle_timeout=300ms"])
        let raw = try RawSocket(path: daemon.daemon.unixListener.address)
        raw.send(Preface.bytes)
        let (bytes, closed) = await raw.readToEndOffPool()
        #expect(closed)
        let frames = parseServerBytes(bytes).frames
        #expect(frames.first?.type == .settings)
        #expect(frames.last?.goAway?.reason == .idleTimeout)
        try await daemon.stop()
    }

    @Test("a silent peer is pinged; one that never answers is closed with KEEPALIVE_TIMEOUT")
    func keepalive() async throws {
        let daemon = try await TestDaemon.start([
            "limits.idle_timeout=0", "limits.keepalive_interval=200ms", "limits.keepalive_timeout=200ms",
        ])
        let raw = try RawSocket(path: daemon.daemon.unixListener.address)
        raw.send(Preface.bytes)
        let (bytes, closed) = await raw.readToEndOffPool()
        #expect(closed)
        let frames = parseServerBytes(bytes).frames
        #expect(frames.contains { $0.type == .ping && !$0.flags.contains(.ack) })
        #expect(frames.last?.goAway?.reason == .keepaliveTimeout)
        try await daemon.stop()
    }

    @Test("a peer that answers pings stays connected past the keepalive interval")
    func keepaliveAnswered() async throws {
        let daemon = try await TestDaemon.start([
            // A timeout long enough for a loaded machine (the whole suite runs in parallel on two
            // cores); the wait past interval + timeout is what proves the pings were answered.
            "limits.idle_timeout=0", "limits.keepalive_interval=100ms", "limits.keepalive_timeout=1s",
        ])
        try await LifeClient.withConnection(to: daemon.unixEndpoint) { client in
            try await Task.sleep(for: .milliseconds(1_600))
            let checked1 = try await client.health.check(.init()).status
            #expect(checked1 == .serving)
        }
        try await daemon.stop()
    }

    @Test("the server answers a PING with an ACK echoing its payload")
    func pingAck() async throws {
        let daemon = try await TestDaemon.start()
        let raw = try RawSocket(path: daemon.daemon.unixListener.address)
        var bytes = ByteBuffer(bytes: Preface.bytes)
        Frame.writePing(payload: 0x0102_0304_0506_0708, ack: false, to: &bytes)
        raw.send(bytes)
        let frames = await raw.readFramesOffPool { $0.type == .ping }
        let ack = try #require(frames.last)
        #expect(ack.flags.contains(.ack))
        #expect(ack.payloadBytes == [1, 2, 3, 4, 5, 6, 7, 8])
        try await daemon.stop()
    }

    @Test("a connection that never sends its preface is closed after the handshake timeout")
    func handshakeTimeout() async throws {
        // 1 s, not less: on a loaded machine the connection's own set-up (admission, SETTINGS) must
        // be done before the timer fires, or SETTINGS may follow the GOAWAY the test looks for last.
        let daemon = try await TestDaemon.start(["tls.handshake_timeout=1s"])
        let raw = try RawSocket(path: daemon.daemon.unixListener.address)
        let (bytes, closed) = await raw.readToEndOffPool()
        #expect(closed, "closed by the server's handshake timer, not ended by the test's read timeout")
        #expect(parseServerBytes(bytes).frames.last?.goAway?.reason == .handshakeTimeout)
        try await daemon.stop()
    }
}
