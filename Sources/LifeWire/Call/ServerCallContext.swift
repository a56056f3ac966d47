/// What a service handler knows about the call it serves.
public struct ServerCallContext: Sendable {
    /// The method being called.
    public let method: MethodDescriptor
    /// The call id on its connection (for logs).
    public let callID: UInt32
    /// Metadata the client sent with the call header.
    public let metadata: [String: String]
    /// When the call must be done; the server cancels the handler's task at this instant.
    public let deadline: Deadline
    /// The transport-proven identity of the caller.
    public let peer: PeerIdentity
    /// Who the router's interceptor proved the caller to be (a session's staff member, the local
    /// operator), for the handler; nil before the interceptor ran or when it proves nobody.
    public var principal: (any Sendable)?

    public init(
        method: MethodDescriptor,
        callID: UInt32,
        metadata: [String: String],
        deadline: Deadline,
        peer: PeerIdentity
    ) {
        self.method = method
        self.callID = callID
        self.metadata = metadata
        self.deadline = deadline
        self.peer = peer
    }
}
