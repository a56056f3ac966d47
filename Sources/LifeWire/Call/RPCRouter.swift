import SwiftProtobuf

/// Maps full method paths (`/life.v1.Health/Check`) to handlers. Generated service stubs
/// register themselves here; a listener serves exactly the services registered in its router.
/// Every call goes through the router's interceptor, when it has one.
public struct RPCRouter: Sendable {
    private var handlers: [String: RPCHandler] = [:]
    private let interceptor: (any RPCInterceptor)?

    public init(interceptor: (any RPCInterceptor)? = nil) {
        self.interceptor = interceptor
    }

    /// Registers a unary method. Registering the same path twice replaces the earlier handler.
    public mutating func registerUnary<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ method: MethodDescriptor,
        _ handler: @escaping @Sendable (Request, ServerCallContext) async throws -> Response
    ) {
        let interceptor = interceptor
        handlers[method.path] = RPCHandler(method: method) { bytes, context, _ in
            let request = try RPCHandler.decode(Request.self, from: bytes)
            return try await Self.run(context, request, through: interceptor) { context in
                try await handler(request, context).serializedBytes()
            }
        }
    }

    /// Registers a server-streaming method.
    public mutating func registerServerStreaming<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ method: MethodDescriptor,
        _ handler: @escaping @Sendable (Request, ServerCallContext, ResponseStreamWriter<Response>) async throws -> Void
    ) {
        let interceptor = interceptor
        handlers[method.path] = RPCHandler(method: method) { bytes, context, sink in
            let request = try RPCHandler.decode(Request.self, from: bytes)
            return try await Self.run(context, request, through: interceptor) { context in
                try await handler(request, context, ResponseStreamWriter(sink: sink))
                return nil
            }
        }
    }

    private static func run(
        _ context: ServerCallContext, _ request: any SwiftProtobuf.Message, through interceptor: (any RPCInterceptor)?,
        _ body: (ServerCallContext) async throws -> [UInt8]?
    ) async throws -> [UInt8]? {
        guard let interceptor else { return try await body(context) }
        return try await interceptor.intercept(context, request: request, next: body)
    }

    /// Every registered method, by path. (Fuzz/ feeds each one; `lifed` itself looks methods up by
    /// path only.)
    public var methods: [MethodDescriptor] {
        handlers.values.map(\.method).sorted { $0.path < $1.path }
    }

    /// The handler for a wire path, or nil (the caller answers UNIMPLEMENTED).
    public func handler(forPath path: String) -> RPCHandler? {
        handlers[path]
    }
}
