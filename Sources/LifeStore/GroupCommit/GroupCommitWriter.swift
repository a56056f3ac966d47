import GRDB
import Synchronization

/// Group commit on SQLite's one writer: units of work submitted while the writer is busy run
/// together in the next transaction, each in its own savepoint, and share one durable commit
/// (one fsync with `synchronous = FULL`). Each caller is answered only after that commit.
///
/// How: a unit is queued, then its caller asks GRDB's writer for a turn. The first turn to come
/// takes every queued unit and runs the batch; a caller whose unit an earlier turn already ran
/// finds nothing queued and returns the result that turn left. A unit that throws rolls back
/// its savepoint alone; a commit that fails fails every unit of its batch.
final class GroupCommitWriter: Sendable {
    private let pool: DatabasePool
    private let queued = Mutex<[any GroupCommitJob]>([])
    /// The most units one transaction takes, so one commit never waits for an unbounded batch.
    private let maximumBatch: Int

    init(pool: DatabasePool, maximumBatch: Int = 256) {
        self.pool = pool
        self.maximumBatch = maximumBatch
    }

    func perform<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let job = Job(body)
        queued.withLock { $0.append(job) }
        while !job.isFinished {
            try await pool.writeWithoutTransaction { db in
                let batch = self.queued.withLock { queue in
                    let taken = Array(queue.prefix(self.maximumBatch))
                    queue.removeFirst(taken.count)
                    return taken
                }
                guard !batch.isEmpty else { return }
                Self.run(batch, in: db)
            }
        }
        return try job.result()
    }

    private static func run(_ batch: [any GroupCommitJob], in db: Database) {
        do {
            try db.inTransaction(.immediate) {
                for job in batch {
                    try db.inSavepoint {
                        job.run(db) ? .commit : .rollback
                    }
                }
                return .commit
            }
            for job in batch { job.finish(commitError: nil) }
        } catch {
            for job in batch { job.finish(commitError: error) }
        }
    }
}

/// One queued unit of work, type-erased.
private protocol GroupCommitJob: Sendable {
    /// Runs the unit; false when it threw (its savepoint is then rolled back).
    func run(_ db: Database) -> Bool
    /// After the batch's commit (nil) or its failure.
    func finish(commitError: (any Error)?)
}

private final class Job<T: Sendable>: GroupCommitJob {
    private enum State {
        case queued
        case ran(Result<T, any Error>)
        case finished(Result<T, any Error>)
    }

    private let body: @Sendable (Database) throws -> T
    private let state = Mutex<State>(.queued)

    init(_ body: @escaping @Sendable (Database) throws -> T) {
        self.body = body
    }

    var isFinished: Bool {
        state.withLock { if case .finished = $0 { true } else { false } }
    }

    func run(_ db: Database) -> Bool {
        let outcome = Result { try body(db) }
        state.withLock { $0 = .ran(outcome) }
        if case .success = outcome { return true }
        return false
    }

    func finish(commitError: (any Error)?) {
        state.withLock { state in
            guard case .ran(let outcome) = state else { return }
            if let commitError, case .success = outcome {
                state = .finished(.failure(commitError))
            } else {
                state = .finished(outcome)
            }
        }
    }

    func result() throws -> T {
        let final: Result<T, any Error>? = state.withLock { if case .finished(let result) = $0 { result } else { nil } }
        return try final!.get()
    }
}
