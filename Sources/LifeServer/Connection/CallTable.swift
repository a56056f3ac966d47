import LifeWire
import NIOCore

/// The state of one connection's calls. Pure bookkeeping, no I/O: `ServerConnection` holds it
/// under a lock and acts on what its methods return.
struct CallTable {
    /// Why a running call was stopped before its handler finished.
    enum StopReason: Sendable {
        case deadlineExceeded
        case cancelledByClient
        case connectionClosed
    }

    struct Call {
        var handler: RPCHandler
        var context: ServerCallContext
        var deadlineTimer: Scheduled<Void>?
        var task: Task<Void, Never>?
        var stopReason: StopReason?
        var started = false

        init(handler: RPCHandler, context: ServerCallContext, deadlineTimer: Scheduled<Void>?) {
            self.handler = handler
            self.context = context
            self.deadlineTimer = deadlineTimer
        }
    }

    /// Timeouts longer than this (30 days) are cut to it.
    static let longestTimeoutMilliseconds: UInt64 = 30 * 24 * 3600 * 1000

    /// What to do with a HEADERS frame.
    enum OpenDecision {
        case accepted
        case refuse(RPCError)
    }

    private(set) var calls: [UInt32: Call] = [:]
    /// Highest call id the client has opened; ids must grow.
    private(set) var highestCallID: UInt32 = 0
    /// Set once GOAWAY(SHUTDOWN) went out: the last call id served; later calls are refused.
    private(set) var drainingAfter: UInt32?
    /// When the last call ended (for the idle timeout).
    private(set) var idleSince: ContinuousClock.Instant? = .now

    var isEmpty: Bool { calls.isEmpty }
    var isDraining: Bool { drainingAfter != nil }

    /// Checks the ordering rule and registers a new call id. Throws on a reused or decreasing id.
    mutating func claim(callID: UInt32) throws {
        guard callID > highestCallID else {
            throw WireError.protocolViolation("call id \(callID) reused or not increasing (last was \(highestCallID))")
        }
        highestCallID = callID
    }

    /// Decides whether a claimed call may run (within the concurrency limit) and records it.
    mutating func open(callID: UInt32, call: Call, maxConcurrentCalls: Int) -> OpenDecision {
        guard calls.count < maxConcurrentCalls else {
            return .refuse(
                RPCError(.resourceExhausted, "too many concurrent calls on this connection (limit \(maxConcurrentCalls))")
            )
        }
        calls[callID] = call
        idleSince = nil
        return .accepted
    }

    /// Whether `callID` was ever opened on this connection (it may have finished since).
    func wasOpened(_ callID: UInt32) -> Bool {
        callID <= highestCallID
    }

    /// Marks a call as started (its request arrived) and returns it; nil if unknown or already
    /// stopped (cancelled, past its deadline: a late MESSAGE is dropped, PROTOCOL §15.4).
    /// Throws if the call is running and had already received its request.
    mutating func start(callID: UInt32) throws -> Call? {
        guard var call = calls[callID], call.stopReason == nil else { return nil }
        guard !call.started else {
            throw WireError.protocolViolation("call \(callID) takes exactly one request message")
        }
        call.started = true
        calls[callID] = call
        return call
    }

    /// Records a started call's task; true if the call was stopped before the task existed (the
    /// caller then cancels it).
    mutating func attach(task: Task<Void, Never>, to callID: UInt32) -> Bool {
        guard calls[callID] != nil else { return false }
        calls[callID]!.task = task
        return calls[callID]!.stopReason != nil
    }

    /// Marks a call stopped and returns its task to cancel; nil if it already ended.
    mutating func stop(callID: UInt32, reason: StopReason) -> Call? {
        guard calls[callID] != nil, calls[callID]!.stopReason == nil else { return nil }
        calls[callID]!.stopReason = reason
        return calls[callID]
    }

    /// Removes a finished call and tells why it stopped early, if it did.
    mutating func finish(callID: UInt32) -> (found: Bool, stopReason: StopReason?) {
        guard let call = calls.removeValue(forKey: callID) else { return (false, nil) }
        call.deadlineTimer?.cancel()
        if calls.isEmpty { idleSince = .now }
        return (true, call.stopReason)
    }

    /// Stops every call, for a closing connection; returns their tasks.
    mutating func stopAll() -> [Task<Void, Never>] {
        var tasks: [Task<Void, Never>] = []
        for id in calls.keys {
            if calls[id]!.stopReason == nil { calls[id]!.stopReason = .connectionClosed }
            calls[id]!.deadlineTimer?.cancel()
            if let task = calls[id]!.task { tasks.append(task) }
        }
        return tasks
    }

    /// Starts draining; returns the last call id that will still be served.
    mutating func beginDrain() -> UInt32 {
        if drainingAfter == nil { drainingAfter = highestCallID }
        return drainingAfter!
    }
}
