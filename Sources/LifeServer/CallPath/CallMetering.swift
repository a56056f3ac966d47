import LifeWire
import Metrics
import SwiftProtobuf

/// Counts every call a router dispatches, by method and final status, and times it (a
/// streaming call until its stream ends), around the router's other step (`CallGate`), so
/// refusals by the gate count too. The method label comes from the router's table (a path with
/// a registered handler), never from anything else a caller sends. Calls whose request does not
/// decode, or whose method is unknown, never reach a router's interceptor and are not counted.
public struct CallMetering: RPCInterceptor {
    private let next: any RPCInterceptor
    private let factory: any MetricsFactory

    public init(_ next: any RPCInterceptor, factory: any MetricsFactory) {
        self.next = next
        self.factory = factory
    }

    public func intercept(
        _ context: ServerCallContext, request: any SwiftProtobuf.Message, next body: (ServerCallContext) async throws -> [UInt8]?
    ) async throws -> [UInt8]? {
        let started = ContinuousClock.now
        do {
            let response = try await next.intercept(context, request: request, next: body)
            record(context.method, .ok, since: started)
            return response
        } catch {
            record(context.method, ErrorMapping.code(for: error), since: started)
            throw error
        }
    }

    private func record(_ method: MethodDescriptor, _ status: RPCError.Code, since started: ContinuousClock.Instant) {
        Counter(label: "lifed_calls_total", dimensions: [("method", method.path), ("status", "\(status)")], factory: factory).increment()
        Timer(label: "lifed_call_duration_seconds", dimensions: [("method", method.path)], factory: factory)
            .record(duration: started.duration(to: .now))
    }
}
