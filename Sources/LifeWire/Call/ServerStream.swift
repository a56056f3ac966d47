/// The responses of a server-streaming call. Iteration throws an `RPCError` if the call ends with
/// a status other than OK; dropping the iterator (leaving the loop) cancels the call.
public struct ServerStream<Element: Sendable>: AsyncSequence, Sendable {
    public typealias Failure = any Error
    private let base: AsyncThrowingStream<Element, any Error>

    public init(_ base: AsyncThrowingStream<Element, any Error>) {
        self.base = base
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<Element, any Error>.AsyncIterator

        public mutating func next() async throws -> Element? {
            try await base.next()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator())
    }
}
