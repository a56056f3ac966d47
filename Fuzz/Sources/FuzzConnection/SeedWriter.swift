import Foundation
import LifeProto
import LifeWire
import NIOCore

/// Writes the seed corpus (`LIFED_FUZZ_WRITE_SEEDS=FOLDER FuzzConnection`, run by
/// Scripts/fuzz-seeds.sh): one input for each way a call or the connection can go, in the action
/// language `Session.act` reads, so the fuzzer starts from calls that open, stream, wait, time out,
/// get cancelled, and connections that drain, break the protocol or lose their peer.
enum SeedWriter {
    /// An input being built: control byte 1 (a preface first) unless `preface` is false.
    private struct Script {
        var bytes: [UInt8]

        init(preface: Bool = true) { bytes = [preface ? 1 : 0] }

        static func method(_ path: String) -> UInt8 { UInt8(FuzzRouter.paths.firstIndex(of: path)!) }

        /// HEADERS for the next call id; `timeout` indexes `Session.timeouts`; `flags` 0x80 adds a
        /// bad metadata key, 0x40 pads the header past its limit, 0xC0 in `id` reuses the last id.
        mutating func headers(_ path: String, timeout: UInt8 = 0, flags: UInt8 = 0, id: UInt8 = 0) {
            bytes += [1, id, Self.method(path) | flags, timeout]
        }
        /// MESSAGE for the call `call` selects; `kind` sizes the request (see `Session.sendMessage`).
        mutating func message(call: UInt8, kind: UInt8) { bytes += [2, call, kind] }
        mutating func cancel(call: UInt8) { bytes += [3, call] }
        mutating func ping(ack: Bool = false) { bytes += [4, 42, ack ? 1 : 0] }
        mutating func settings() { bytes += [5, 2, 0x08, 0x01] }
        mutating func trailerFromClient(call: UInt8) { bytes += [6, 0, call] }
        mutating func writable(_ writable: Bool) { bytes += [writable ? 8 : 7] }
        /// `step` indexes `Session.steps` (0: 1 ms … 7: 60 s).
        mutating func advance(_ step: UInt8) { bytes += [9, step] }
        mutating func peerClose() { bytes += [10] }
        mutating func drain() { bytes += [11] }
        mutating func raw(_ raw: [UInt8]) { bytes += [0, UInt8(raw.count)] + raw }
    }

    private static var seeds: [String: [UInt8]] {
        var seeds: [String: [UInt8]] = [:]
        func seed(_ name: String, preface: Bool = true, _ build: (inout Script) -> Void) {
            var script = Script(preface: preface)
            build(&script)
            seeds[name] = script.bytes
        }
        let unary = FuzzRouter.echo.path
        let stream = FuzzRouter.stream.path
        let never = FuzzRouter.never.path
        let fail = FuzzRouter.fail.path
        seed("unary") {
            $0.headers(unary); $0.message(call: 0, kind: 4)
        }
        seed("unary-over-frame-limit") {
            $0.headers(unary); $0.message(call: 0, kind: 40)
        }
        seed("stream") {
            $0.headers(stream); $0.message(call: 0, kind: 10)
        }
        seed("stream-slow-reader") {
            $0.headers(stream, timeout: 6)
            $0.writable(false)
            $0.message(call: 0, kind: 63)
            $0.advance(5)
            $0.writable(true)
        }
        seed("stream-reader-back") {
            $0.headers(stream)
            $0.message(call: 0, kind: 40)
            $0.writable(false)
            $0.advance(3)
            $0.writable(true)
        }
        seed("deadline") {
            $0.headers(never, timeout: 3); $0.message(call: 0, kind: 0); $0.advance(2)
        }
        seed("deadline-before-request") {
            $0.headers(never, timeout: 4); $0.advance(2); $0.advance(3); $0.message(call: 0, kind: 0)
        }
        seed("cancel") {
            $0.headers(never); $0.message(call: 0, kind: 0); $0.cancel(call: 0)
        }
        seed("cancel-before-request") {
            $0.headers(unary); $0.cancel(call: 0); $0.message(call: 0, kind: 1)
        }
        seed("request-timeout") {
            $0.headers(unary); $0.advance(4)
        }
        seed("too-many-calls") {
            for _ in 0..<5 { $0.headers(never, timeout: 5) }
            for call in UInt8(0)..<5 { $0.message(call: call, kind: 0) }
        }
        seed("health") {
            $0.headers("/life.v1.Health/Check"); $0.message(call: 0, kind: 0)
            $0.headers("/life.v1.Health/Watch"); $0.message(call: 1, kind: 0); $0.cancel(call: 1)
        }
        seed("ping-settings") {
            $0.ping(); $0.ping(ack: true); $0.settings()
        }
        seed("drain-with-call") {
            $0.headers(never, timeout: 5); $0.drain(); $0.headers(unary); $0.message(call: 0, kind: 0); $0.advance(7)
        }
        seed("drain-idle") {
            $0.drain(); $0.headers(unary)
        }
        seed("peer-close-mid-stream") {
            $0.headers(stream); $0.writable(false); $0.message(call: 0, kind: 63); $0.peerClose()
        }
        seed("no-preface", preface: false) { $0.headers(unary) }
        seed("handshake-timeout", preface: false) { $0.advance(5) }
        seed("reused-id") {
            $0.headers(unary); $0.headers(unary, id: 0xC0)
        }
        seed("message-unopened") { $0.message(call: 0xFF, kind: 1) }
        seed("second-message") {
            $0.headers(never); $0.message(call: 0, kind: 0); $0.message(call: 0, kind: 0)
        }
        seed("trailer-from-client") {
            $0.headers(never); $0.trailerFromClient(call: 0)
        }
        seed("bad-metadata") {
            $0.headers(unary, flags: 0x80); $0.headers(unary, flags: 0x40)
        }
        seed("fail") {
            $0.headers(fail); $0.message(call: 0, kind: 2); $0.headers(fail); $0.message(call: 1, kind: 3)
        }
        seed("unknown-method") {
            $0.headers("/fuzz.Echo/Missing"); $0.headers("")
        }
        seed("deferred-frames") {
            $0.writable(false); $0.headers(unary); $0.message(call: 0, kind: 2); $0.writable(true)
        }
        seed("frame-in-pieces") {
            var frame = ByteBuffer()
            try! Frame.writeHeaders(callID: 1, header: Life_V1_CallHeader.with { $0.method = unary }, to: &frame)
            let bytes = Array(frame.readableBytesView)
            $0.raw(Array(bytes.prefix(5)))
            $0.raw(Array(bytes.dropFirst(5)))
            $0.message(call: 0, kind: 1)
        }
        return seeds
    }

    static func write(to folder: String) {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for (name, bytes) in seeds {
                try Data(bytes).write(to: URL(fileURLWithPath: "\(folder)/\(name)"))
            }
        } catch {
            fatalError("cannot write the seeds: \(error)")
        }
    }
}
