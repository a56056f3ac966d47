import Foundation
import LifeProto
import LifeServer
import LifeStubs
import LifeWire
import SwiftProtobuf

/// The methods the fuzzed connection serves: cheap, and between them every way a call can end —
/// an answer at once, a stream the channel's writability paces, an answer too large for a frame,
/// an error, and a call that never answers until it is cancelled (its deadline, the client, the
/// connection closing). The real Health service is there too (its Watch is a stream that waits).
enum FuzzRouter {
    static let echo = MethodDescriptor(service: "fuzz.Echo", method: "Unary", kind: .unary)
    static let stream = MethodDescriptor(service: "fuzz.Echo", method: "Stream", kind: .serverStreaming)
    static let never = MethodDescriptor(service: "fuzz.Echo", method: "Never", kind: .unary)
    static let fail = MethodDescriptor(service: "fuzz.Echo", method: "Fail", kind: .unary)

    /// Paths a HEADERS frame may name: every registered one, and two that are not.
    static let paths: [String] = router.methods.map(\.path) + ["/fuzz.Echo/Missing", ""]

    static let router: RPCRouter = {
        var router = RPCRouter()
        HealthService(state: HealthState(services: [Life_V1_Health.serviceName]), certificateNotAfter: { nil })
            .register(in: &router)
        // The value twice: a request near the frame limit gets an answer over it.
        router.registerUnary(echo) { (request: Google_Protobuf_BytesValue, _) -> Google_Protobuf_BytesValue in
            Google_Protobuf_BytesValue(request.value + request.value)
        }
        // `value % 64` messages of 256 bytes: enough to cross the write buffer's high water mark.
        router.registerServerStreaming(stream) {
            (request: Google_Protobuf_UInt32Value, _, writer: ResponseStreamWriter<Google_Protobuf_BytesValue>) in
            for index in 0..<(request.value % 64) {
                try await writer.write(Google_Protobuf_BytesValue(Data(repeating: UInt8(truncatingIfNeeded: index), count: 256)))
            }
        }
        router.registerUnary(never) { (_: Google_Protobuf_Empty, _) -> Google_Protobuf_Empty in
            // Wakes only when cancelled: its deadline, the client's CANCEL, the connection closing.
            try await Task.sleep(for: .seconds(365 * 86_400))
            return Google_Protobuf_Empty()
        }
        // A status the handler chose, or an error that has none (the server answers INTERNAL).
        router.registerUnary(fail) { (request: Google_Protobuf_BytesValue, _) -> Google_Protobuf_Empty in
            if request.value.isEmpty { throw Unexplained() }
            throw RPCError(.failedPrecondition, "fuzz")
        }
        return router
    }()

    private struct Unexplained: Error {}
}
