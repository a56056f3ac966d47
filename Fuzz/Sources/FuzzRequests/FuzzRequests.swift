import Dispatch
import Foundation
import FuzzDriver

// Request decoding: the MESSAGE of a call to any method lifed serves, decoded into the method's
// request type and turned into domain values by the real services, behind the real call gate, over
// a real SQLite store — the routers `Daemon.build` serves (`DaemonRouters`), run here without a
// connection (FuzzConnection covers that part).
//
// Input: byte 0 picks the method (an index into `FuzzedDaemon.methods`, the TLS router's then the Unix
// router's, each sorted by path); byte 1 is flags (bit 0: no session token, bit 1: a wrong one;
// otherwise the call carries the session of a logged-in facility admin, so staff methods get past
// the gate); the rest is the request's bytes. Checked besides "no crash": a refused request gets
// a status the client can read, never INTERNAL (nor UNKNOWN) — a malformed request is the
// client's error — and Health.Check still answers OK afterwards. A store that has been changed
// so that the session no longer works (a logout, a disabled facility, read-only mode) is thrown
// away and set up again, as is every store after `FuzzedDaemon.callsPerStore` calls, so the database
// stays small and executions fast.

@_cdecl("FuzzRequests_main")
func fuzzRequestsMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    if let folder = ProcessInfo.processInfo.environment["LIFED_FUZZ_WRITE_SEEDS"] {
        SeedWriter.write(to: folder)
        return 0
    }
    // libFuzzer ends with exit(): the stores go with the process (not after a crash, which
    // leaves them for a look).
    atexit { try? FileManager.default.removeItem(atPath: FuzzedDaemon.folder) }
    return FuzzDriver.run(argc: argc, argv: argv, testOneInput)
}

/// libFuzzer's entry point (its runtime refers to it by this name).
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = Array(FuzzDriver.bytes(data, size))
    guard input.count >= 2 else { return 0 }
    let done = DispatchSemaphore(value: 0)
    Task {
        await FuzzedDaemon.shared.call(methodIndex: Int(input[0]), flags: input[1], request: Array(input.dropFirst(2)))
        done.signal()
    }
    done.wait()
    return 0
}
