import LifeWire

/// A call attempt that failed, with what the client knows about whether the server processed it;
/// `LifeChannel` decides on it whether to send the call again. Callers of `ClientConnection` see
/// only `error`.
struct AttemptFailure: Error {
    enum Outcome {
        /// The server did not process the call: it was never sent, or a GOAWAY says so.
        case notProcessed
        /// The connection ended after the call was sent and before its trailer.
        case unknown
        /// Sending it again would fail the same way (the server refused this client).
        case final
    }

    let error: RPCError
    let outcome: Outcome

    /// The `RPCError` a caller sees for `error`, whatever kind it is.
    static func rpcError(_ error: any Error) -> any Error {
        (error as? AttemptFailure)?.error ?? error
    }
}
