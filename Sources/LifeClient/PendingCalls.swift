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
    /// Calls whose HEADERS are handed to the writer, so a CANCEL may follow them.
    private var sent: Set<UInt32> = []
    /// Calls given up before their HEADERS were handed to the writer.
    private var abandonedUnsent: Set<UInt32> = []
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
        sent.remove(id)
        return calls.removeValue(forKey: id)
    }

    /// Gives up on a call. Returns the call, and whether a CANCEL should go out now (its HEADERS
    /// were sent); otherwise `markSent` asks for the CANCEL once they are, so it never overtakes them.
    mutating func abandon(_ id: UInt32) -> (call: Call, cancelNow: Bool)? {
        guard let call = calls.removeValue(forKey: id) else { return nil }
        if sent.remove(id) != nil { return (call, true) }
        abandonedUnsent.insert(id)
        return (call, false)
    }

    /// Records that a call's HEADERS were handed to the writer; true if it was abandoned meanwhile
    /// and needs its CANCEL sent now.
    mutating func markSent(_ id: UInt32) -> Bool {
        if abandonedUnsent.remove(id) != nil { return true }
        if calls[id] != nil { sent.insert(id) }
        return false
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
        sent.removeAll()
        abandonedUnsent.removeAll()
        defer { calls.removeAll() }
        return Array(calls.values)
    }
}
