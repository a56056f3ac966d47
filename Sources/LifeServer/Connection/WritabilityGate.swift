import NIOCore
import Synchronization

/// Whether a connection takes more bytes now, and a place for stream writers to wait, with a time
/// limit, until it does. The channel turns unwritable when more than its high water mark of bytes
/// wait for the socket and writable again below its low water mark; `ServerFrameHandler` reports
/// each change here.
final class WritabilityGate: Sendable {
    /// How a wait ended.
    enum Outcome: Sendable {
        case writable
        case timedOut
        case cancelled
        /// The connection is closing; nothing more will be written.
        case closed
    }

    private struct Waiter {
        let continuation: CheckedContinuation<Outcome, Never>
        let timer: Scheduled<Void>
    }

    private struct State {
        var writable = true
        var closed = false
        /// Since when the channel has been unwritable without a break.
        var stalledSince: ContinuousClock.Instant?
        var waiters: [UInt64: Waiter] = [:]
        /// Waits begun but not yet registered, and whether their task was cancelled meanwhile.
        var unregistered: [UInt64: Bool] = [:]
        var lastWaiterID: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Since when the peer has taken too few bytes to make the channel writable; nil while it is.
    var stalledSince: ContinuousClock.Instant? { state.withLock { $0.stalledSince } }

    /// Whether a write may go ahead now (the channel is writable and not closing).
    var isOpenAndWritable: Bool { state.withLock { $0.writable && !$0.closed } }

    /// Records the channel's writability; turning writable releases every waiter.
    func update(writable: Bool) {
        let released: [Waiter] = state.withLock { state in
            guard state.writable != writable else { return [] }
            state.writable = writable
            state.stalledSince = writable ? nil : .now
            guard writable else { return [] }
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in released { finish(waiter, .writable) }
    }

    /// The connection is closing: every waiter, now and later, is told so.
    func close() {
        let released: [Waiter] = state.withLock { state in
            state.closed = true
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in released { finish(waiter, .closed) }
    }

    /// Returns at once while the channel is writable; otherwise waits until it is, `timeout`
    /// passes, the connection closes or the task is cancelled.
    func waitUntilWritable(timeout: Duration, on eventLoop: any EventLoop) async -> Outcome {
        let id = state.withLock { state in
            state.lastWaiterID += 1
            state.unregistered[state.lastWaiterID] = false
            return state.lastWaiterID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let immediate: Outcome? = state.withLock { state in
                    let cancelled = state.unregistered.removeValue(forKey: id) ?? false
                    if state.closed { return .closed }
                    if state.writable { return .writable }
                    if cancelled { return .cancelled }
                    let timer = eventLoop.scheduleTask(in: TimeAmount(saturating: timeout)) { self.release(id, .timedOut) }
                    state.waiters[id] = Waiter(continuation: continuation, timer: timer)
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            release(id, .cancelled)
        }
    }

    /// Ends one wait, or, for a cancellation that arrives before the wait is in place, makes it
    /// end as soon as it is.
    private func release(_ id: UInt64, _ outcome: Outcome) {
        let waiter: Waiter? = state.withLock { state in
            guard let waiter = state.waiters.removeValue(forKey: id) else {
                if outcome == .cancelled, state.unregistered[id] != nil { state.unregistered[id] = true }
                return nil
            }
            return waiter
        }
        if let waiter { finish(waiter, outcome) }
    }

    private func finish(_ waiter: Waiter, _ outcome: Outcome) {
        waiter.timer.cancel()
        waiter.continuation.resume(returning: outcome)
    }
}
