import SwiftProtobuf

/// A registered method, type-erased to bytes in and bytes out.
public struct RPCHandler: Sendable {
    /// Sends one serialized response message of a streaming call.
    public typealias Sink = @Sendable ([UInt8]) async throws -> Void

    public let method: MethodDescriptor
    private let body: @Sendable ([UInt8], ServerCallContext, @escaping Sink) async throws -> [UInt8]?

    init(
        method: MethodDescriptor,
        body: @escaping @Sendable ([UInt8], ServerCallContext, @escaping Sink) async throws -> [UInt8]?
    ) {
        self.method = method
        self.body = body
    }

    /// Runs the method on one serialized request. Returns the serialized response of a unary call
    /// (the caller sends it together with the trailer); a streaming call sends through `sink` and
    /// returns nil. A request that does not parse throws an INVALID_ARGUMENT `RPCError`.
    public func run(request: [UInt8], context: ServerCallContext, sink: @escaping Sink) async throws -> [UInt8]? {
        try await body(request, context, sink)
    }

    static func decode<Request: SwiftProtobuf.Message>(_ type: Request.Type, from bytes: [UInt8]) throws -> Request {
        do {
            return try Request(serializedBytes: bytes)
        } catch {
            throw RPCError(.invalidArgument, "request is not a valid \(Request.protoMessageName)")
        }
    }
}
