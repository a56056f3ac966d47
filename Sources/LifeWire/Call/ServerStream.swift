import NIOCore

/// The responses of a server-streaming call. Iteration throws an `RPCError` if the call ends with
/// a status other than OK; dropping the iterator (leaving the loop) cancels the call, and
/// cancelling the iterating task ends the iteration with `CancellationError` and cancels it too.
///
/// Messages that arrive before the consumer asks for them wait in a bounded buffer: once it holds
/// `highWatermark` messages the producer (the client connection) is told to stop — it stops
/// reading its socket — and to go on once the consumer has brought it below `lowWatermark`.
public struct ServerStream<Element: Sendable>: AsyncSequence, Sendable {
    public typealias Failure = any Error

    /// Tells the producer what the consumer does: it wants more messages again, or it stopped
    /// listening (the sequence finished, or the consumer left or was cancelled).
    public struct Demand: NIOAsyncSequenceProducerDelegate {
        private let onProduceMore: @Sendable () -> Void
        private let onTerminate: @Sendable () -> Void

        public init(produceMore: @escaping @Sendable () -> Void, terminated: @escaping @Sendable () -> Void) {
            onProduceMore = produceMore
            onTerminate = terminated
        }

        public func produceMore() { onProduceMore() }
        public func didTerminate() { onTerminate() }
    }

    typealias Producer = NIOThrowingAsyncSequenceProducer<
        Element, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, Demand
    >
    /// Where the producer puts messages (`yield` says whether to go on) and ends the stream.
    public typealias Source = NIOThrowingAsyncSequenceProducer<
        Element, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, Demand
    >.Source

    private let base: Producer

    private init(base: Producer) {
        self.base = base
    }

    /// A stream whose buffer asks the producer to stop at `highWatermark` messages and to go on
    /// below `lowWatermark`, and the source that feeds it.
    public static func makeStream(lowWatermark: Int, highWatermark: Int, demand: Demand) -> (stream: ServerStream, source: Source) {
        let made = Producer.makeSequence(
            backPressureStrategy: .init(lowWatermark: lowWatermark, highWatermark: highWatermark),
            finishOnDeinit: true,
            delegate: demand
        )
        return (ServerStream(base: made.sequence), made.source)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: Producer.AsyncIterator

        public mutating func next() async throws -> Element? {
            try await base.next()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator())
    }
}
