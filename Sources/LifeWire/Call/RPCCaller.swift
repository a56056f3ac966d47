import SwiftProtobuf

/// Per-call options a client passes with a request.
public struct CallOptions: Sendable {
    /// When the call must be done; sent to the server as a relative timeout.
    public var deadline: Deadline
    /// Metadata sent in the call header, e.g. `authorization`.
    public var metadata: [String: String]

    public init(deadline: Deadline = .never, metadata: [String: String] = [:]) {
        self.deadline = deadline
        self.metadata = metadata
    }
}

/// A transport that carries calls: implemented by LifeClient's connection, used by the generated
/// typed clients. Errors thrown are `RPCError`s.
public protocol RPCCaller: Sendable {
    /// Sends one request and waits for the one response.
    func unary<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ method: MethodDescriptor,
        request: Request,
        responseType: Response.Type,
        options: CallOptions
    ) async throws -> Response

    /// Sends one request and returns the stream of responses. Iterating the stream throws an
    /// `RPCError` when the call ends with a status other than OK; leaving the loop cancels the call.
    func serverStreaming<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ method: MethodDescriptor,
        request: Request,
        responseType: Response.Type,
        options: CallOptions
    ) async throws -> ServerStream<Response>
}
