import Dispatch
import Foundation
import FuzzDriver
import LifeProto
import LifeServer
import LifeWire
import NIOCore
import NIOEmbedded

// The server's connection state machine (Sources/LifeServer/Connection): the real pipeline — frame
// decoder, handshake timer, `ServerFrameHandler`, `ServerConnection` and its call table — installed
// by `DetachedConnection` exactly as the Unix listener installs it, on an in-memory channel, and
// served by the listener's own serving loop.
//
// The channel is a `NIOAsyncTestingChannel`, not an `EmbeddedChannel`: `ServerConnection.run()`
// supervises liveness with `Task.sleep`, and each call is a task that prefers the connection's
// event loop, so jobs reach the loop from the concurrency pool's threads. `EmbeddedEventLoop` may
// only be touched from the thread that made it (a race, and NIO's "not thread-safe" error, when it
// is not); the async testing loop takes jobs from any thread and still runs them — and its timers
// — only when told to, so time moves only when the input says so.
//
// Input: byte 0 is control (bit 0 puts a valid preface in front); the rest is a sequence of actions,
// each an opcode byte and its arguments (see `Session.act`): raw bytes, well-formed frames of each
// type for chosen call ids, the channel turning unwritable or writable, time passing, the peer
// closing, the server draining. Checked besides "no crash": everything the server writes decodes
// with the server's own decoder, within the frame size its SETTINGS announced; it opens with its
// preface and SETTINGS, writes nothing after a GOAWAY that ends the connection, answers only calls
// that were opened, never after their trailer, and with at most one trailer each — exactly one for
// every call opened at or below the GOAWAY(SHUTDOWN)'s last call id, unless the client cancelled
// it or the connection ended otherwise; a drain with no call left closes the connection; and once
// the channel is closed the serving loop returns and the connection's slot and every call slot
// are given back.

@_cdecl("FuzzConnection_main")
func fuzzConnectionMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    if let folder = ProcessInfo.processInfo.environment["LIFED_FUZZ_WRITE_SEEDS"] {
        SeedWriter.write(to: folder)
        return 0
    }
    return FuzzDriver.run(argc: argc, argv: argv, testOneInput)
}

/// libFuzzer's entry point (its runtime refers to it by this name).
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = Array(FuzzDriver.bytes(data, size))
    let done = DispatchSemaphore(value: 0)
    Task {
        await Session(input: input).play()
        done.signal()
    }
    done.wait()
    return 0
}
