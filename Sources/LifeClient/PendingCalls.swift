import LifeProto
import LifeWire
import NIOCore

/// The client's view of its calls on one connection: bookkeeping only, held under a lock by
/// `ClientConnection`.
struct PendingCalls {
    /// How a finished call delivers its outcome.
    enum Call {
        /// Waiting for one message and the trailer.
        case unary(EventLoopPromise<[UInt8]>, response: [UInt8]?)
        /// Receives messages until the trailer.
        case streaming(onMessage: @Sendable ([UInt8]) -> Void, onEnd: @Sendable ((any Error)?) -> Void)

        func fail(_ error: any Error) {
            switch self {
            case .unary(let promise, _): promise.fail(error)
            case .streaming(_, let onEnd): onEnd(error)
            }
        }
    }

    private var calls: [UInt32: Call] = [:]
    private var nextCallID: UInt32 = 1
    /// Set once the connection can take no new calls, with the reason.
    private(set) var closedReason: RPCError?

    /// Registers a call and returns its id, or the reason the connection takes no more calls.
    mutating func open(_ call: Call) -> Result<UInt32, RPCError> {
        if let closedReason { return .failure(closedReason) }
        guard nextCallID < UInt32.max else {
            return .failure(RPCError(.unavailable, "call ids exhausted on this connection; open a new one"))
        }
        let id = nextCallID
        nextCallID += 1
        calls[id] = call
        return .success(id)
    }

    /// Stores a unary call's response message; returns the streaming handler to deliver to, if any.
    mutating func message(_ bytes: [UInt8], for id: UInt32) -> (@Sendable ([UInt8]) -> Void)? {
        switch calls[id] {
        case .unary(let promise, nil):
            calls[id] = .unary(promise, response: bytes)
            return nil
        case .streaming(let onMessage, _):
            return onMessage
        case .unary, nil:
            return nil
        }
    }

    /// Removes and returns a call that ended.
    mutating func remove(_ id: UInt32) -> Call? {
        calls.removeValue(forKey: id)
    }

    /// After GOAWAY: no new calls; returns the calls the server will not process.
    mutating func goAway(lastCallID: UInt32, reason: RPCError) -> [Call] {
        closedReason = closedReason ?? reason
        let refused = calls.keys.filter { $0 > lastCallID }
        return refused.compactMap { calls.removeValue(forKey: $0) }
    }

    /// The connection ended: every call fails.
    mutating func close(reason: RPCError) -> [Call] {
        closedReason = closedReason ?? reason
        defer { calls.removeAll() }
        return Array(calls.values)
    }
}
