import LifeWire
import Logging

/// The one place where anything a handler throws becomes the status a client sees.
enum ErrorMapping {
    /// The wire error for `error`. An error that does not know its status is logged here with
    /// its detail and reaches the client as INTERNAL without any.
    static func rpcError(for error: any Error, method: MethodDescriptor, logger: Logger) -> RPCError {
        switch error {
        case let convertible as any RPCErrorConvertible:
            return convertible.rpcError
        case is CancellationError:
            return RPCError(.cancelled, "call was cancelled")
        default:
            logger.error("unexpected error in handler", metadata: ["method": "\(method)", "error": "\(String(reflecting: error))"])
            return RPCError(.internal, "internal error")
        }
    }
}
