import SwiftProtobuf

/// One step every call of a router passes through, after its request decoded and before its
/// handler: authentication, scoping and auditing happen here once, not in each service.
/// `next` runs the handler with the context the interceptor passes on (its `principal` set).
public protocol RPCInterceptor: Sendable {
    func intercept(
        _ context: ServerCallContext,
        request: any SwiftProtobuf.Message,
        next: (ServerCallContext) async throws -> [UInt8]?
    ) async throws -> [UInt8]?
}
