import LifeCore
import Synchronization

/// Wakes a facility's watchers when one of its changes commits: use cases `advance` it to the
/// sequence number they committed, watchers `wait` for anything of their facility newer than
/// what they have sent; another facility's changes wake nobody here. `close` (shutdown) wakes
/// everyone for good. In one process only; with several daemons on one database the same role
/// would be played by the database's own notifications.
public final class ChangeSignal: Sendable {
    private struct Waiter {
        let facility: FacilityNumber
        let after: Int64
        let continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var latest: [FacilityNumber: Int64] = [:]
        var closed = false
        var waiters: [UInt64: Waiter] = [:]
        var nextKey: UInt64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// A change of `facility` with number `sequence` has committed.
    public func advance(_ facility: FacilityNumber, to sequence: Int64) {
        let woken = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard sequence > state.latest[facility, default: 0] else { return [] }
            state.latest[facility] = sequence
            let ready = state.waiters.filter { $0.value.facility == facility && $0.value.after < sequence }
            for key in ready.keys { state.waiters.removeValue(forKey: key) }
            return ready.values.map(\.continuation)
        }
        woken.forEach { $0.resume() }
    }

    /// Ends every wait, now and later.
    public func close() {
        let woken = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.closed = true
            defer { state.waiters.removeAll() }
            return state.waiters.values.map(\.continuation)
        }
        woken.forEach { $0.resume() }
    }

    public var isClosed: Bool { state.withLock { $0.closed } }

    /// Returns once a change of `facility` after `sequence` has committed, the signal is closed,
    /// or the task is cancelled (check `Task.isCancelled` after).
    public func wait(for facility: FacilityNumber, after sequence: Int64) async {
        let key = state.withLock { state -> UInt64 in
            state.nextKey += 1
            return state.nextKey
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.closed || state.latest[facility, default: 0] > sequence || Task.isCancelled { return true }
                    state.waiters[key] = Waiter(facility: facility, after: sequence, continuation: continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: key) }
            waiter?.continuation.resume()
        }
    }
}
