import SwiftProtobuf

/// Maps full method paths (`/life.v1.Health/Check`) to handlers. Generated service stubs
/// register themselves here; a listener serves exactly the services registered in its router.
public struct RPCRouter: Sendable {
    private var handlers: [String: RPCHandler] = [:]

    public init() {}

    /// Registers a unary method. Registering the same path twice replaces the earlier handler.
    public mutating func registerUnary<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ method: MethodDescriptor,
        _ handler: @escaping @Sendable (Request, ServerCallContext) async throws -> Response
    ) {
        handlers[method.path] = RPCHandler(method: method) { bytes, context, _ in
            let request = try RPCHandler.decode(Request.self, from: bytes)
            return try await handler(request, context).serializedBytes()
        }
    }

    /// Registers a server-streaming method.
    public mutating func registerServerStreaming<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ method: MethodDescriptor,
        _ handler: @escaping @Sendable (Request, ServerCallContext, ResponseStreamWriter<Response>) async throws -> Void
    ) {
        handlers[method.path] = RPCHandler(method: method) { bytes, context, sink in
            let request = try RPCHandler.decode(Request.self, from: bytes)
            try await handler(request, context, ResponseStreamWriter(sink: sink))
            return nil
        }
    }

    /// The handler for a wire path, or nil (the caller answers UNIMPLEMENTED).
    public func handler(forPath path: String) -> RPCHandler? {
        handlers[path]
    }
}
