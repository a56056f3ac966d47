import LifeCore
import Synchronization

/// Admits work to a few slots fairly across keys (client certificates): waiting work is queued
/// per key and served round-robin, so one key's flood delays another key's work by at most one
/// turn per slot instead of the whole flood. Queues are bounded per key and in all; work beyond
/// either bound is refused at once (`resourceExhausted`) instead of waiting without limit.
public final class FairAdmission: Sendable {
    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var running = 0
        var waiting = 0
        var queues: [String: [Waiter]] = [:]
        /// Keys with waiting work, in the order they get their next turn.
        var turns: [String] = []
        var nextID: UInt64 = 0
    }

    private let slots: Int
    private let perKey: Int
    private let total: Int
    private let state = Mutex(State())

    /// `slots`: work running at once; `perKey`, `total`: most work waiting for one key, in all.
    public init(slots: Int, perKey: Int, total: Int) {
        self.slots = max(1, slots)
        self.perKey = max(1, perKey)
        self.total = max(1, total)
    }

    /// Runs `body` once a slot is free and it is `key`'s turn. Throws `resourceExhausted` when
    /// the queue is full, `CancellationError` when the task is cancelled while waiting.
    public func run<T: Sendable>(key: String, _ body: () async throws -> T) async throws -> T {
        try await admit(key)
        defer { release() }
        return try await body()
    }

    private enum Decision {
        case run, wait, full, cancelled
    }

    private func admit(_ key: String) async throws {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let decision = state.withLock { state -> Decision in
                    if Task.isCancelled { return .cancelled }
                    if state.running < slots, state.waiting == 0 {
                        state.running += 1
                        return .run
                    }
                    guard (state.queues[key]?.count ?? 0) < perKey, state.waiting < total else { return .full }
                    if state.queues[key, default: []].isEmpty { state.turns.append(key) }
                    state.queues[key, default: []].append(Waiter(id: id, continuation: continuation))
                    state.waiting += 1
                    return .wait
                }
                switch decision {
                case .run: continuation.resume()
                case .wait: break
                case .full:
                    continuation.resume(throwing: DomainError.resourceExhausted("too many logins are waiting; try again in a few seconds"))
                case .cancelled: continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            let removed = state.withLock { state -> Waiter? in
                guard let index = state.queues[key]?.firstIndex(where: { $0.id == id }) else { return nil }
                let waiter = state.queues[key]!.remove(at: index)
                state.waiting -= 1
                if state.queues[key]!.isEmpty {
                    state.queues[key] = nil
                    state.turns.removeAll { $0 == key }
                }
                return waiter
            }
            removed?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Hands the slot to the next key's oldest waiter, or frees it.
    private func release() {
        let next = state.withLock { state -> Waiter? in
            guard !state.turns.isEmpty else {
                state.running -= 1
                return nil
            }
            let key = state.turns.removeFirst()
            let waiter = state.queues[key]!.removeFirst()
            state.waiting -= 1
            if state.queues[key]!.isEmpty { state.queues[key] = nil } else { state.turns.append(key) }
            return waiter
        }
        next?.continuation.resume()
    }
}
