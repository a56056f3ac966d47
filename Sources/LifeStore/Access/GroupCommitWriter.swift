import GRDB
import Metrics
import Synchronization

/// Group commit on SQLite's one writer: units of work submitted while a batch is being written
/// run together in the next transaction, each in its own savepoint, and share one durable commit
/// (one fsync with `synchronous = FULL`). Each caller is answered only after that commit.
///
/// How: one caller at a time leads. The leader takes every queued unit (at most
/// `maximumBatch`), writes them in one transaction on GRDB's writer, answers each, and once its
/// own unit is answered hands the lead to the oldest queued caller, or gives it up when nothing
/// is queued. The other callers only wait for their answer: no writer turn of their own. A unit
/// that throws rolls back its savepoint alone; a commit that fails fails every unit of its batch.
///
/// Metrics: `lifed_store_commit_queue_depth` (units waiting for a batch) and
/// `lifed_store_commit_duration_seconds` (one batch's transaction, its fsync included).
final class GroupCommitWriter: Sendable {
    private struct State {
        var queue: [any GroupCommitJob] = []
        var leading = false
    }

    private let pool: DatabasePool
    private let state = Mutex(State())
    /// The most units one transaction takes, so one commit never waits for an unbounded batch.
    private let maximumBatch: Int

    /// Runs in each batch's transaction after its units, before the commit; a throw fails the
    /// batch like a failed commit.
    private let beforeCommit: @Sendable (Database) throws -> Void
    /// Runs after each batch's commit succeeded, on the writer's thread, and must return at once.
    /// True: checkpoint the WAL now, on the writer, before the next batch (see `WALCheckpointer`);
    /// the batch's units are answered first, the units queued behind it wait.
    private let afterCommit: @Sendable () -> Bool

    private let queueDepth: Gauge
    private let commitDuration: Metrics.Timer

    init(
        pool: DatabasePool, maximumBatch: Int = 256, metrics: any MetricsFactory = NOOPMetricsHandler.instance,
        beforeCommit: @escaping @Sendable (Database) throws -> Void = { _ in }, afterCommit: @escaping @Sendable () -> Bool = { false }
    ) {
        self.pool = pool
        self.maximumBatch = maximumBatch
        self.beforeCommit = beforeCommit
        self.afterCommit = afterCommit
        queueDepth = Gauge(label: "lifed_store_commit_queue_depth", factory: metrics)
        commitDuration = Metrics.Timer(label: "lifed_store_commit_duration_seconds", factory: metrics)
    }

    func perform<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let job = GroupCommitUnit(body)
        let (leads, depth) = state.withLock { state in
            state.queue.append(job)
            defer { state.leading = true }
            return (!state.leading, state.queue.count)
        }
        queueDepth.record(depth)
        if leads { await lead(until: job) }
        while true {
            switch await job.next() {
            case .answered(let result): return try result.get()
            case .lead: await lead(until: job)
            }
        }
    }

    /// Writes batches until `own` is answered, then passes the lead on.
    private func lead(until own: any GroupCommitJob) async {
        while !own.isAnswered {
            let (batch, depth) = state.withLock { state in
                let taken = Array(state.queue.prefix(maximumBatch))
                state.queue.removeFirst(taken.count)
                return (taken, state.queue.count)
            }
            queueDepth.record(depth)
            do {
                let started = ContinuousClock.now
                try await pool.writeWithoutTransaction { [beforeCommit, afterCommit] db in
                    if Self.run(batch, in: db, beforeCommit: beforeCommit), afterCommit() {
                        // Fails harmlessly (busy, a full disk): the WAL keeps the pages.
                        _ = try? db.checkpoint(.passive)
                    }
                }
                commitDuration.record(duration: started.duration(to: .now))
            } catch {
                // The writer could not even start (the database is closed, say).
                for job in batch { job.finish(commitError: error) }
            }
        }
        let next = state.withLock { state -> (any GroupCommitJob)? in
            guard let first = state.queue.first else {
                state.leading = false
                return nil
            }
            return first
        }
        next?.takeLead()
    }

    /// True when the batch was committed.
    private static func run(_ batch: [any GroupCommitJob], in db: Database, beforeCommit: (Database) throws -> Void) -> Bool {
        do {
            try db.inTransaction(.immediate) {
                for job in batch {
                    try db.inSavepoint {
                        job.run(db) ? .commit : .rollback
                    }
                }
                try beforeCommit(db)
                return .commit
            }
            for job in batch { job.finish(commitError: nil) }
            return true
        } catch {
            for job in batch { job.finish(commitError: error) }
            return false
        }
    }
}

/// One queued unit of work, type-erased.
private protocol GroupCommitJob: Sendable {
    /// Runs the unit; false when it threw (its savepoint is then rolled back).
    func run(_ db: Database) -> Bool
    /// After the batch's commit (nil) or its failure: the caller gets its answer.
    func finish(commitError: (any Error)?)
    var isAnswered: Bool { get }
    /// The caller is to lead the next batch.
    func takeLead()
}

private final class GroupCommitUnit<T: Sendable>: GroupCommitJob {
    enum Wake {
        case answered(Result<T, any Error>)
        case lead
    }

    private struct State {
        var outcome: Result<T, any Error>?
        var answer: Result<T, any Error>?
        var leadPending = false
        var waiter: CheckedContinuation<Wake, Never>?
    }

    private let body: @Sendable (Database) throws -> T
    private let state = Mutex(State())

    init(_ body: @escaping @Sendable (Database) throws -> T) {
        self.body = body
    }

    func run(_ db: Database) -> Bool {
        let outcome = Result { try body(db) }
        state.withLock { $0.outcome = outcome }
        if case .success = outcome { return true }
        return false
    }

    func finish(commitError: (any Error)?) {
        let (waiter, answer) = state.withLock { state -> (CheckedContinuation<Wake, Never>?, Result<T, any Error>) in
            let answer: Result<T, any Error>
            switch (state.outcome, commitError) {
            case (.success, let error?), (nil, let error?): answer = .failure(error)
            case (let outcome?, _): answer = outcome
            case (nil, nil): answer = .failure(CancellationError())  // not reached: a finished unit has run
            }
            state.answer = answer
            defer { state.waiter = nil }
            return (state.waiter, answer)
        }
        waiter?.resume(returning: .answered(answer))
    }

    var isAnswered: Bool { state.withLock { $0.answer != nil } }

    func takeLead() {
        let waiter = state.withLock { state -> CheckedContinuation<Wake, Never>? in
            guard let waiter = state.waiter else {
                state.leadPending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume(returning: .lead)
    }

    /// Waits for the answer, or for the lead.
    func next() async -> Wake {
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Wake? in
                if let answer = state.answer { return .answered(answer) }
                if state.leadPending {
                    state.leadPending = false
                    return .lead
                }
                state.waiter = continuation
                return nil
            }
            if let now { continuation.resume(returning: now) }
        }
    }
}
