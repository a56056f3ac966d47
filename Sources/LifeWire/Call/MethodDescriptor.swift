/// Names one RPC method of one service. Dispatch is by `path`, never by position in the .proto.
public struct MethodDescriptor: Sendable, Hashable, CustomStringConvertible {
    /// The shape of a call.
    public enum Kind: Sendable, Hashable {
        /// One request message, one response message.
        case unary
        /// One request message, any number of response messages.
        case serverStreaming
    }

    /// Package-qualified service name, e.g. `life.v1.Health`.
    public let service: String
    /// Method name as in the .proto, e.g. `Check`.
    public let method: String
    /// Unary or server-streaming.
    public let kind: Kind

    public init(service: String, method: String, kind: Kind) {
        self.service = service
        self.method = method
        self.kind = kind
    }

    /// The wire path, `/life.v1.Health/Check`.
    public var path: String { "/\(service)/\(method)" }

    public var description: String { path }
}
