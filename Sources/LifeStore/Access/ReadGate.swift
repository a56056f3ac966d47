import Synchronization

/// Admits at most `limit` reads into GRDB's reader pool at once; the rest wait as suspended
/// tasks, in arrival order. Without it, every read beyond the pool's readers blocks a Dispatch
/// worker thread on a semaphore inside GRDB: 500 concurrent calls made ~120 threads and spent
/// the daemon's CPU on switching between them.
final class ReadGate: Sendable {
    private struct State {
        var available: Int
        var waiting: [CheckedContinuation<Void, Never>] = []
        var head = 0
    }

    private let state: Mutex<State>

    init(limit: Int) {
        state = Mutex(State(available: limit))
    }

    func run<T>(_ body: () async throws -> T) async throws -> T {
        await enter()
        defer { leave() }
        return try await body()
    }

    private func enter() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let admitted = state.withLock { state -> Bool in
                guard state.available > 0 else {
                    state.waiting.append(continuation)
                    return false
                }
                state.available -= 1
                return true
            }
            if admitted { continuation.resume() }
        }
    }

    /// Hands the place to the longest waiter, or frees it.
    private func leave() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.head < state.waiting.count else {
                state.available += 1
                return nil
            }
            let next = state.waiting[state.head]
            state.head += 1
            if state.head > 1024, state.head * 2 > state.waiting.count {
                state.waiting.removeFirst(state.head)
                state.head = 0
            }
            return next
        }
        next?.resume()
    }
}
