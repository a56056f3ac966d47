import LifeCore
import LifeWire
import Logging

/// The one place where anything a handler throws becomes the status a client sees. Public for
/// Fuzz/ (FuzzRequests), which runs handlers without a connection and checks the status a client
/// would get.
public enum ErrorMapping {
    /// The wire error for `error`. An error that does not know its status is logged here with
    /// its detail and reaches the client as INTERNAL without any.
    public static func rpcError(for error: any Error, method: MethodDescriptor, logger: Logger) -> RPCError {
        switch error {
        case DomainError.storageFull:
            logger.error(
                "the database cannot be written: its disk is full; calls that write fail until space is freed",
                metadata: ["method": "\(method)"])
            return DomainError.storageFull.rpcError
        case let convertible as any RPCErrorConvertible:
            return convertible.rpcError
        case is CancellationError:
            return RPCError(.cancelled, "call was cancelled")
        default:
            logger.error("unexpected error in handler", metadata: ["method": "\(method)", "error": "\(String(reflecting: error))"])
            return RPCError(.internal, "internal error")
        }
    }

    /// The status `rpcError(for:method:logger:)` gives `error`, without logging it (for metrics).
    static func code(for error: any Error) -> RPCError.Code {
        switch error {
        case let convertible as any RPCErrorConvertible: convertible.rpcError.code
        case is CancellationError: .cancelled
        default: .internal
        }
    }
}
