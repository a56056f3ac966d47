import Synchronization

/// A value a reload may replace while connections keep using the one they started with.
public final class Reloadable<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>

    public init(_ value: Value) {
        storage = Mutex(value)
    }

    public var current: Value {
        storage.withLock { $0 }
    }

    public func replace(with value: Value) {
        storage.withLock { $0 = value }
    }
}
