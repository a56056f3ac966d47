import Foundation
import GRDB
import Synchronization

/// Copies committed WAL pages back into the database file on a connection of its own, so that
/// the writer seldom does.
///
/// Why: with SQLite's automatic checkpoint, the connection whose commit takes the WAL past 1,000
/// pages copies them itself before its commit returns. On the one writer that meant every unit
/// queued behind that commit waited for the copy: 150–200 ms each time during a bulk re-check
/// (random pages of a large file, then an fsync of it), several times a second. The writer
/// therefore runs with `wal_autocheckpoint = 0`, and this runs PASSIVE checkpoints beside it,
/// which never block the writer or readers.
///
/// A checkpoint beside a busy writer never completes (the writer appends while it copies), and
/// only a complete one lets the WAL start over from its beginning. Once the WAL holds more than
/// `restartFrames` pages, `committed()` therefore tells the writer to finish: it copies only
/// what was appended since this connection's last run, between two of its batches.
///
/// When: after a commit (`committed()`), at most once per `interval`; requests made meanwhile
/// collapse into one.
final class WALCheckpointer: Sendable {
    private let connection: DatabaseQueue
    private let requests: AsyncStream<Void>.Continuation
    private let worker: Task<Void, Never>
    /// The last checkpoint here found the WAL over `restartFrames` pages.
    private let restartDue = RestartFlag()

    private final class RestartFlag: Sendable {
        let value = Atomic(false)
    }

    /// Opens its connection to the database at `path`, which must already be in WAL mode.
    init(path: String, configuration: Configuration, interval: Duration = .milliseconds(100), restartFrames: Int = 4_000) throws {
        var configuration = configuration
        configuration.label = (configuration.label ?? "LifeStore") + ".checkpointer"
        let connection = try DatabaseQueue(path: path, configuration: configuration)
        let (stream, requests) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.connection = connection
        self.requests = requests
        let restartDue = restartDue
        worker = Task.detached {
            for await _ in stream {
                // A failure (a full disk, say) leaves the pages in the WAL, where readers find
                // them; the next request tries again.
                let frames = try? await connection.writeWithoutTransaction { db in try db.checkpoint(.passive) }
                if let frames, frames.walFrameCount > restartFrames { restartDue.value.store(true, ordering: .relaxed) }
                try? await Task.sleep(for: interval)
            }
        }
    }

    deinit {
        requests.finish()
        worker.cancel()
    }

    /// A transaction was committed: a checkpoint is due. True: the writer is to finish one now.
    func committed() -> Bool {
        requests.yield()
        return restartDue.value.exchange(false, ordering: .relaxed)
    }

    /// Stops checkpointing and closes the connection (waiting for a checkpoint in progress).
    func close() throws {
        requests.finish()
        worker.cancel()
        try connection.close()
    }
}
