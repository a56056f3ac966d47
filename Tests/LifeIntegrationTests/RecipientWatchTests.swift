import Foundation
import LifeClient
import LifeProto
import LifeStore
import LifeWire
import TestSupport
import Testing

private typealias F = TestFacilities

/// WatchRecipients: every terminal of a facility sees its changes at once and in order, resumes
/// without missing or repeating one, and never sees another facility's.
@Suite("Recipient watch")
struct RecipientWatchTests {
    typealias Terminal = RecipientsTests.Terminal

    /// Collects a watch stream's messages on its own task.
    final class Collector: @unchecked Sendable {
        private let lock = NSLock()
        private var received: [Life_V1_WatchRecipientsResponse] = []
        private(set) var task: Task<RPCError?, Never>?

        func start(_ terminal: Terminal, after: Int64) {
            task = Task {
                do {
                    let stream = try await terminal.client.recipients.watchRecipients(
                        .with { $0.afterSequence = after }, metadata: terminal.metadata)
                    for try await message in stream { self.lock.withLock { self.received.append(message) } }
                    return nil
                } catch let error as RPCError {
                    return error
                } catch {
                    return RPCError(.unknown, "\(error)")
                }
            }
        }

        var messages: [Life_V1_WatchRecipientsResponse] { lock.withLock { received } }
    }

    @Test("B watches; A creates, updates, deletes: B sees each in order; facility B sees nothing")
    func live() async throws {
        let daemon = try await TestDaemon.start()
        try await RecipientsTests.withTerminals(daemon, [.facilityA, .facilityA2, .facilityB]) { terminals in
            let (a, b, other) = (terminals[0], terminals[1], terminals[2])
            let watcher = Collector()
            let stranger = Collector()
            // A watch from "now" (0) may start after a change made right away; the documented way
            // to miss nothing is to start from a list's change_sequence.
            let start = try await b.client.recipients.listRecipients(.init(), metadata: b.metadata).changeSequence
            watcher.start(b, after: start)
            stranger.start(other, after: start)
            let created = try await RecipientsTests.create(a, RecipientsTests.sample())
            #expect(await eventually { watcher.messages.count == 1 })
            var edited = created
            edited.careLevel = .care4
            let updated = try await RecipientsTests.update(a, edited, expected: 1)
            _ = try await a.client.recipients.deleteRecipient(
                .with {
                    $0.id = created.id
                    $0.expectedVersion = updated.version
                }, metadata: a.metadata)
            #expect(await eventually { watcher.messages.count == 3 })
            let messages = watcher.messages
            #expect(messages.map(\.kind) == [.created, .updated, .deleted])
            #expect(messages.map(\.recipient.id) == [created.id, created.id, created.id])
            #expect(messages.map(\.sequence) == messages.map(\.sequence).sorted())
            #expect(messages.first?.recipient.fullName == "山田 花子")
            #expect(messages.last?.recipient.version == 2)
            #expect(messages.allSatisfy { $0.changedBy == "admin-a" })
            #expect(stranger.messages.isEmpty)
            watcher.task?.cancel()
            stranger.task?.cancel()
        }
        try await daemon.stop()
    }

    @Test("resume from a list's change_sequence: exactly the changes made meanwhile, then live ones")
    func resume() async throws {
        let daemon = try await TestDaemon.start()
        try await RecipientsTests.withTerminals(daemon, [.facilityA, .facilityA2]) { terminals in
            let (a, b) = (terminals[0], terminals[1])
            _ = try await RecipientsTests.create(a, RecipientsTests.sample(insured: "0000000001"))
            let listed = try await b.client.recipients.listRecipients(.init(), metadata: b.metadata)
            #expect(listed.recipients.count == 1)
            var made: [String] = []
            for n in 2...4 { made.append(try await RecipientsTests.create(a, RecipientsTests.sample(insured: "000000000\(n)")).id) }
            let watcher = Collector()
            watcher.start(b, after: listed.changeSequence)
            #expect(await eventually { watcher.messages.count == 3 })
            made.append(try await RecipientsTests.create(a, RecipientsTests.sample(insured: "0000000005")).id)
            #expect(await eventually { watcher.messages.count == 4 })
            #expect(watcher.messages.map(\.recipient.id) == made)
            watcher.task?.cancel()
        }
        try await daemon.stop()
    }

    @Test("resuming behind the pruned change log is OUT_OF_RANGE; shutdown ends a watch with OK")
    func outOfRangeAndShutdown() async throws {
        let daemon = try await TestDaemon.start()
        try await RecipientsTests.withTerminals(daemon, [.facilityA]) { terminals in
            let a = terminals[0]
            for n in 1...3 { _ = try await RecipientsTests.create(a, RecipientsTests.sample(insured: "000000000\(n)")) }
            // Prune everything with the store's own pruning, as the hourly sweeper would.
            let store = try SQLiteStore(path: daemon.folder.file("data/lifed.sqlite"))
            let pruned = try await store.unitOfWork { try $0.pruneChanges(before: Date().addingTimeInterval(60)) }
            #expect(pruned == 3)
            try store.close()
            let behind = Collector()
            behind.start(a, after: 1)
            let error = await behind.task?.value
            #expect(error?.code == .outOfRange)
            // From a list's position nothing is missing: the watch is served.
            let position = try await a.client.recipients.listRecipients(.init(), metadata: a.metadata).changeSequence
            let current = Collector()
            current.start(a, after: position)
            _ = try await RecipientsTests.create(a, RecipientsTests.sample(insured: "0000000009"))
            #expect(await eventually { current.messages.count == 1 })
            await daemon.daemon.shutdown()
            let ended = await current.task?.value
            #expect(ended == nil, "\(String(describing: ended))")
        }
        try await daemon.stop()
    }
}
