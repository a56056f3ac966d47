/// An error that travels as a call's trailer: a gRPC status code, a message safe to show to the
/// caller, and structured details. Anything else a handler throws reaches the wire as INTERNAL
/// with no detail.
public struct RPCError: Error, Sendable, Hashable, CustomStringConvertible {
    /// gRPC's status codes, with gRPC's numbers and meanings.
    public enum Code: Int, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        case ok = 0
        case cancelled = 1
        case unknown = 2
        case invalidArgument = 3
        case deadlineExceeded = 4
        case notFound = 5
        case alreadyExists = 6
        case permissionDenied = 7
        case resourceExhausted = 8
        case failedPrecondition = 9
        case aborted = 10
        case outOfRange = 11
        case unimplemented = 12
        case `internal` = 13
        case unavailable = 14
        case dataLoss = 15
        case unauthenticated = 16

        /// The upper-snake name used by gRPC, e.g. `DEADLINE_EXCEEDED`.
        public var description: String {
            switch self {
            case .ok: "OK"
            case .cancelled: "CANCELLED"
            case .unknown: "UNKNOWN"
            case .invalidArgument: "INVALID_ARGUMENT"
            case .deadlineExceeded: "DEADLINE_EXCEEDED"
            case .notFound: "NOT_FOUND"
            case .alreadyExists: "ALREADY_EXISTS"
            case .permissionDenied: "PERMISSION_DENIED"
            case .resourceExhausted: "RESOURCE_EXHAUSTED"
            case .failedPrecondition: "FAILED_PRECONDITION"
            case .aborted: "ABORTED"
            case .outOfRange: "OUT_OF_RANGE"
            case .unimplemented: "UNIMPLEMENTED"
            case .internal: "INTERNAL"
            case .unavailable: "UNAVAILABLE"
            case .dataLoss: "DATA_LOSS"
            case .unauthenticated: "UNAUTHENTICATED"
            }
        }
    }

    /// One invalid request field.
    public struct FieldViolation: Sendable, Hashable {
        public var field: String
        public var reason: String
        public var description: String

        public init(field: String, reason: String, description: String) {
            self.field = field
            self.reason = reason
            self.description = description
        }
    }

    public var code: Code
    public var message: String
    /// Machine-readable reason, e.g. `PASSWORD_CHANGE_REQUIRED`; empty when none.
    public var reason: String
    public var fieldViolations: [FieldViolation]
    /// When a retry may succeed, in milliseconds; 0 when unknown.
    public var retryAfterMilliseconds: UInt64

    public init(
        _ code: Code,
        _ message: String,
        reason: String = "",
        fieldViolations: [FieldViolation] = [],
        retryAfterMilliseconds: UInt64 = 0
    ) {
        self.code = code
        self.message = message
        self.reason = reason
        self.fieldViolations = fieldViolations
        self.retryAfterMilliseconds = retryAfterMilliseconds
    }

    public var description: String {
        message.isEmpty ? "\(code)" : "\(code): \(message)"
    }
}
