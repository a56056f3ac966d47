import Foundation
import Synchronization

/// Whether the server is serving, and who is watching. The daemon flips it to not serving when
/// a graceful shutdown begins, before listeners drain, so watchers learn it first.
public final class HealthState: Sendable {
    /// Status of the server as a whole.
    public enum Status: Sendable, Hashable {
        case serving
        case notServing
    }

    private struct State {
        var status: Status = .serving
        var shuttingDown = false
        var watchers: [UInt64: AsyncStream<Status>.Continuation] = [:]
        var nextWatcher: UInt64 = 0
    }

    private let state = Mutex(State())
    /// Package-qualified names of the services this server offers on some listener.
    public let services: Set<String>
    public let startedAt: Date

    public init(services: Set<String>, startedAt: Date = Date()) {
        self.services = services
        self.startedAt = startedAt
    }

    public var status: Status { state.withLock { $0.status } }

    /// Marks the server not serving for good and tells every watcher.
    public func beginShutdown() {
        let watchers = state.withLock { state in
            state.status = .notServing
            state.shuttingDown = true
            return Array(state.watchers.values)
        }
        for watcher in watchers {
            watcher.yield(.notServing)
            watcher.finish()
        }
    }

    /// The status now, then every change, until shutdown (the last element is `.notServing`).
    public func updates() -> AsyncStream<Status> {
        let (stream, continuation) = AsyncStream.makeStream(of: Status.self, bufferingPolicy: .bufferingNewest(4))
        let (id, current, done) = state.withLock { state in
            let id = state.nextWatcher
            state.nextWatcher += 1
            if !state.shuttingDown { state.watchers[id] = continuation }
            return (id, state.status, state.shuttingDown)
        }
        continuation.yield(current)
        if done { continuation.finish() }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.watchers.removeValue(forKey: id) }
        }
        return stream
    }
}
