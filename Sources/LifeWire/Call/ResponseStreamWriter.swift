import SwiftProtobuf

/// Sends the response messages of a server-streaming call. `write` waits while the connection
/// cannot take more bytes (the client is not reading), throws RESOURCE_EXHAUSTED when that lasts
/// longer than the server's slow-consumer timeout, and throws once the call is cancelled.
public struct ResponseStreamWriter<Message: SwiftProtobuf.Message>: Sendable {
    private let sink: @Sendable ([UInt8]) async throws -> Void

    public init(sink: @escaping @Sendable ([UInt8]) async throws -> Void) {
        self.sink = sink
    }

    /// Sends one response message.
    public func write(_ message: Message) async throws {
        try await sink(try message.serializedBytes())
    }
}
