import Foundation
import LifeClient
import LifeProto
import LifeServer
import LifeWire
import NIOCore
import Synchronization
import TestSupport
import Testing

/// A client that stops reading costs the server a bounded amount: the server stops reading from
/// it, ends the streams it does not read with RESOURCE_EXHAUSTED, and serves everyone else.
@Suite("Backpressure", .serialized)
struct BackpressureTests {
    typealias Terminal = RecipientsTests.Terminal

    /// Counts, per accepted connection, the bytes the server wrote into it (sent or still queued:
    /// counted at the head of the pipeline, after TLS), and makes the server's socket send buffer
    /// small, so that a few hundred changes fill the path to a client that stopped reading.
    final class WriteProbe: Sendable {
        final class Counted: Sendable {
            let channel: any Channel
            private let written = Mutex(0)

            init(channel: any Channel) { self.channel = channel }

            var bytesWritten: Int { written.withLock { $0 } }
            func add(_ count: Int) { written.withLock { $0 += count } }
        }

        private final class Counter: ChannelOutboundHandler, Sendable {
            typealias OutboundIn = ByteBuffer
            let counted: Counted

            init(_ counted: Counted) { self.counted = counted }

            func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
                counted.add(unwrapOutboundIn(data).readableBytes)
                context.write(data, promise: promise)
            }
        }

        private let counted = Mutex<[Counted]>([])

        var connections: [Counted] { counted.withLock { $0 } }

        var hook: Listener.SetupHook {
            { channel in
                try channel.syncOptions?.setOption(.socketOption(.so_sndbuf), value: 16 * 1024)
                let counted = Counted(channel: channel)
                try channel.pipeline.syncOperations.addHandler(Counter(counted))
                self.counted.withLock { $0.append(counted) }
            }
        }
    }

    /// Creates `count` recipients with insured numbers from `first` on, 16 at a time.
    private static func create(_ terminal: Terminal, count: Int, from first: Int) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<16 {
                group.addTask {
                    for n in stride(from: first + lane, to: first + count, by: 16) {
                        let insured = String(format: "%010d", n)
                        _ = try await RecipientsTests.create(terminal, RecipientsTests.sample(insured: insured))
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    @Test("a watcher that stops reading is ended with RESOURCE_EXHAUSTED; the server stops writing to it; other watchers get every change")
    func slowWatcher() async throws {
        let probe = WriteProbe()
        let daemon = try await TestDaemon.start(["limits.slow_consumer_timeout=5s"], setupHook: probe.hook)
        try await RecipientsTests.withTerminals(daemon, [.facilityA, .facilityA2, .facilityA]) { terminals in
            let (writer, lagging, reading) = (terminals[0], terminals[1], terminals[2])
            let start = try await writer.client.recipients.listRecipients(.init(), metadata: writer.metadata).changeSequence
            let reader = RecipientWatchTests.Collector()
            reader.start(reading, after: start)
            // Opened and never read until the server has given up on it. The Swift client buffers
            // 64 messages of it and then stops reading the connection: were its buffer unbounded,
            // the server's writes would never stall and this test would fail below.
            let unread = try await lagging.client.recipients.watchRecipients(.with { $0.afterSequence = start }, metadata: lagging.metadata)
            let tls = try #require(daemon.daemon.tlsListener)
            #expect(await eventually { tls.openCalls == 2 })

            // Changes until the lagging watcher's connection takes no more bytes.
            var made = 0
            var stalled: WriteProbe.Counted?
            while stalled == nil, made < 20_000 {
                try await Self.create(writer, count: 200, from: made)
                made += 200
                stalled = probe.connections.first { !$0.channel.isWritable }
            }
            let stuck = try #require(stalled, "the lagging watcher's connection never filled up")
            try await Task.sleep(for: .milliseconds(200))  // What was written before the stall has been flushed.
            let writtenWhenStalled = stuck.bytesWritten

            // More changes (≈ 50 KiB of messages), then the server ends the stream it cannot deliver,
            // having written nothing more to it but the trailer. (Quickly: after twice the timeout
            // without progress the connection itself would be closed.)
            try await Self.create(writer, count: 200, from: made)
            made += 200
            #expect(await eventually(timeout: .seconds(10)) { tls.openCalls == 1 }, "the unread stream was ended")
            let growth = stuck.bytesWritten - writtenWhenStalled
            #expect(growth < 4096, "the server kept writing to a stalled connection: \(growth) bytes")

            // The lagging watcher reads at last: a prefix of the changes, in order, then the trailer.
            var got: [Int64] = []
            var ending: RPCError?
            do {
                for try await change in unread { got.append(change.sequence) }
            } catch let error as RPCError {
                ending = error
            }
            #expect(ending?.code == .resourceExhausted, "\(String(describing: ending))")
            #expect(ending?.reason == "SLOW_CONSUMER")
            #expect(!got.isEmpty && got.count < made)

            // The reading watcher got every change, and the lagging one had the same ones first.
            #expect(await eventually(timeout: .seconds(30)) { reader.messages.count == made })
            let all = reader.messages.map(\.sequence)
            #expect(all == all.sorted())
            #expect(Array(all.prefix(got.count)) == got)
            reader.task?.cancel()
        }
        try await daemon.stop()
    }

    @Test("pipelined calls from a client that does not read: the server stops reading, serves others, and answers every call")
    func pipelinedWithoutReading() async throws {
        let daemon = try await TestDaemon.start(["limits.max_concurrent_calls=100000"])
        let calls = 100_000
        var bytes = ByteBuffer(bytes: Preface.bytes)
        for id in 1...UInt32(calls) { bytes.writeImmutableBuffer(RawFrames.healthCheck(callID: id)) }
        let all = Array(bytes.readableBytesView)
        let raw = try RawSocket(path: daemon.daemon.unixListener.address, timeout: .seconds(10))

        // Without reading, the client can send only what fills the buffers on the way.
        let sent = await offPool { raw.sendWhileTaken(all, patience: .seconds(1)) }
        #expect(sent < all.count / 2, "the server took \(sent) of \(all.count) bytes from a client that reads nothing")

        // Meanwhile another client is served.
        let status = try await LifeClient.withConnection(to: daemon.unixEndpoint) { try await $0.health.check(.init()).status }
        #expect(status == .serving)

        // The client reads at last, sending the rest as the server takes it: every call answered once.
        async let restSent = offPool { raw.sendWhileTaken(all, from: sent, patience: .seconds(10)) }
        let ends = await offPool { raw.readCallEnds(count: calls) }
        #expect(await restSent == all.count)
        #expect(ends.codes.count == calls)
        #expect(ends.codes.values.allSatisfy { $0 == .ok })
        #expect(ends.messages == calls)
        #expect(ends.duplicates == 0)
        #expect(ends.goAway == nil)
        try await daemon.stop()
    }

    @Test("a client that reads nothing at all is disconnected after twice slow_consumer_timeout")
    func stalledConnectionClosed() async throws {
        let daemon = try await TestDaemon.start([
            "limits.slow_consumer_timeout=1s", "limits.idle_timeout=0", "limits.keepalive_interval=0",
        ])
        var bytes = ByteBuffer(bytes: Preface.bytes)
        for id in 1...UInt32(50_000) { bytes.writeImmutableBuffer(RawFrames.healthCheck(callID: id)) }
        let all = Array(bytes.readableBytesView)
        let raw = try RawSocket(path: daemon.daemon.unixListener.address)
        let sent = await offPool { raw.sendWhileTaken(all, patience: .seconds(1)) }
        #expect(sent < all.count)
        let listener = daemon.daemon.unixListener
        #expect(listener.connectionCount == 1)
        #expect(await eventually(timeout: .seconds(10)) { listener.connectionCount == 0 })
        try await daemon.stop()
    }
}
