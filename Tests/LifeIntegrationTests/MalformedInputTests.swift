import LifeClient
import LifeProto
import LifeWire
import NIOCore
import TestSupport
import Testing

/// Bad bytes end the offending connection with a clear GOAWAY (where the peer can still read
/// one), and the daemon keeps serving a connection that was open all along and new ones.
@Suite("Malformed input")
struct MalformedInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let bytes: [UInt8]
        let stopSending: Bool
        let expectedReason: Life_V1_GoAwayReason?
        var testDescription: String { name }
    }

    static let preface = Preface.bytes

    static let cases: [Case] = [
        Case(
            name: "truncated frame",
            bytes: preface + [0, 0, 0, 100, 0x03, 0, 0, 0, 0, 1] + Array(repeating: 7, count: 10),
            stopSending: true,
            expectedReason: nil
        ),
        Case(name: "stream stops inside a frame header", bytes: preface + [0, 0, 0], stopSending: true, expectedReason: nil),
        Case(
            name: "oversized length (no payload sent)",
            bytes: preface + [0xFF, 0xFF, 0xFF, 0xF0, 0x03, 0, 0, 0, 0, 1],
            stopSending: false,
            expectedReason: .frameTooLarge
        ),
        Case(
            name: "unknown frame type", bytes: preface + [0, 0, 0, 0, 0x7E, 0, 0, 0, 0, 1], stopSending: false,
            expectedReason: .protocolError),
        Case(name: "bad preface", bytes: Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8), stopSending: false, expectedReason: .badPreface),
        Case(name: "garbage bytes", bytes: (0..<64).map { UInt8(($0 * 37 + 11) % 256) }, stopSending: false, expectedReason: .badPreface),
        Case(name: "unsupported version", bytes: Preface.magic + [0, 9], stopSending: false, expectedReason: .unsupportedVersion),
        Case(
            name: "call id reused",
            bytes: preface + Array(RawFrames.healthCheck(callID: 1).readableBytesView)
                + Array(RawFrames.healthCheck(callID: 1).readableBytesView),
            stopSending: false,
            expectedReason: .protocolError
        ),
        Case(
            name: "MESSAGE for a call never opened",
            bytes: preface + [0, 0, 0, 0, 0x03, 0x01, 0, 0, 0, 9],
            stopSending: false,
            expectedReason: .protocolError
        ),
        Case(
            name: "TRAILER from a client", bytes: preface + [0, 0, 0, 0, 0x04, 0, 0, 0, 0, 1], stopSending: false,
            expectedReason: .protocolError),
        Case(
            name: "HEADERS payload that is not a CallHeader",
            bytes: preface + [0, 0, 0, 3, 0x02, 0, 0, 0, 0, 1, 0xFF, 0xFF, 0xFF],
            stopSending: false,
            expectedReason: .protocolError
        ),
    ]

    @Test("closes the bad connection and keeps serving the others", arguments: cases)
    func malformed(_ testCase: Case) async throws {
        let daemon = try await TestDaemon.start()
        try await LifeClient.withConnection(to: daemon.unixEndpoint) { healthy in
            _ = try await healthy.health.check(.init())
            let raw = try RawSocket(path: daemon.daemon.unixListener.address)
            raw.send(testCase.bytes)
            if testCase.stopSending { raw.shutdownWrite() }
            let (bytes, closed) = await raw.readToEndOffPool()
            #expect(closed, "the server must close the connection")
            if let reason = testCase.expectedReason {
                let (preface, frames) = parseServerBytes(bytes)
                #expect(preface)
                // Trailers of calls that were running may come before or after the GOAWAY.
                let goAway = try #require(frames.compactMap(\.goAway).last, "expected a GOAWAY, got \(frames.map(\.type))")
                #expect(goAway.reason == reason)
                #expect(!goAway.message.isEmpty)
            }
            let after = try await healthy.health.check(.init())
            #expect(after.status == .serving)
        }
        let fresh = try await LifeClient.withConnection(to: daemon.unixEndpoint) { try await $0.health.check(.init()) }
        #expect(fresh.status == .serving)
        try await daemon.stop()
    }
}
