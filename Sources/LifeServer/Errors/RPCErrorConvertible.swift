import LifeWire

/// An error that knows which wire status it is. Domain errors conform to it in this module, so
/// the mapping from domain to wire lives in one place (`ErrorMapping`).
public protocol RPCErrorConvertible: Error {
    var rpcError: RPCError { get }
}

extension RPCError: RPCErrorConvertible {
    public var rpcError: RPCError { self }
}
