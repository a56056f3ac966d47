import Synchronization

/// Runs work for the same key one at a time, in arrival order (logins of one account), while
/// work for other keys runs freely.
public final class KeyedSerializer: Sendable {
    private let state = Mutex<[String: [CheckedContinuation<Void, Never>]]>([:])

    public init() {}

    public func run<T: Sendable>(key: String, _ body: () async throws -> T) async throws -> T {
        await acquire(key)
        defer { release(key) }
        return try await body()
    }

    private func acquire(_ key: String) async {
        let free = state.withLock { waiting -> Bool in
            guard waiting[key] == nil else { return false }
            waiting[key] = []
            return true
        }
        if free { return }
        await withCheckedContinuation { continuation in
            let nowFree = state.withLock { waiting -> Bool in
                guard waiting[key] != nil else {
                    waiting[key] = []
                    return true
                }
                waiting[key]!.append(continuation)
                return false
            }
            if nowFree { continuation.resume() }
        }
    }

    private func release(_ key: String) {
        let next = state.withLock { waiting -> CheckedContinuation<Void, Never>? in
            guard var queue = waiting[key], !queue.isEmpty else {
                waiting[key] = nil
                return nil
            }
            let next = queue.removeFirst()
            waiting[key] = queue
            return next
        }
        next?.resume()
    }
}
