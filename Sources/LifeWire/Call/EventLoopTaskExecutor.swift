import NIOCore

/// Runs Swift tasks on one NIO event loop. A connection's reader and its calls prefer the
/// connection's event loop, so a frame read, the handler it starts and the bytes it writes stay
/// on one thread with no hand-off between threads. The price: work that blocks (hashing a
/// password, say) must move to its own pool, or it stalls every connection of the loop.
public final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    private let eventLoop: any EventLoop

    public init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
