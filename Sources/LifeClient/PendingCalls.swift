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
        /// Receives messages until the trailer; `onMessage` answers false when the consumer's
        /// buffer is full.
        case streaming(onMessage: @Sendable ([UInt8]) -> Bool, onEnd: @Sendable ((any Error)?) -> Void)

        func fail(_ error: any Error) {
            switch self {
            case .unary(let promise, _): promise.fail(error)
            case .streaming(_, let onEnd): onEnd(error)
            }
        }
    }

    private var calls: [UInt32: Call] = [:]
    /// Streaming calls whose consumer has a full buffer: while there is one, the connection
    /// reads nothing more from its socket.
    private var paused: Set<UInt32> = []
    private var nextCallID: UInt32 = 1
    /// Set once the connection can take no new calls, with the reason.
    private(set) var closedReason: RPCError?

    /// Registers the call `make` builds for its id and returns the id, or the reason the
    /// connection takes no more calls (then `make` is not called).
    mutating func open(_ make: (UInt32) -> Call) -> Result<UInt32, RPCError> {
        if let closedReason { return .failure(closedReason) }
        guard nextCallID < UInt32.max else {
            return .failure(RPCError(.unavailable, "call ids exhausted on this connection; open a new one"))
        }
        let id = nextCallID
        nextCallID += 1
        calls[id] = make(id)
        return .success(id)
    }

    /// Whether a consumer's full buffer holds the connection's reading.
    var isReadingPaused: Bool { !paused.isEmpty }

    /// A streaming call's consumer wants more; true if reading may go on now.
    mutating func resume(_ id: UInt32) -> Bool {
        paused.remove(id) != nil && paused.isEmpty
    }

    /// Stores a unary call's response message, or delivers a streaming call's — under the lock,
    /// so that a consumer catching up at once cannot resume before the pause is recorded.
    mutating func message(_ bytes: [UInt8], for id: UInt32) {
        switch calls[id] {
        case .unary(let promise, nil):
            calls[id] = .unary(promise, response: bytes)
        case .streaming(let onMessage, _):
            if !onMessage(bytes) { paused.insert(id) }
        case .unary, nil:
            break
        }
    }

    /// Removes and returns a call that ended.
    mutating func remove(_ id: UInt32) -> Call? {
        paused.remove(id)
        return calls.removeValue(forKey: id)
    }

    /// After GOAWAY: no new calls; returns the calls the server will not process.
    mutating func goAway(lastCallID: UInt32, reason: RPCError) -> [Call] {
        closedReason = closedReason ?? reason
        let refused = calls.keys.filter { $0 > lastCallID }
        return refused.compactMap { remove($0) }
    }

    /// The connection ended: every call fails.
    mutating func close(reason: RPCError) -> [Call] {
        closedReason = closedReason ?? reason
        defer {
            calls.removeAll()
            paused.removeAll()
        }
        return Array(calls.values)
    }
}
