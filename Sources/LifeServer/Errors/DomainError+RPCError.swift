import LifeCore
import LifeWire

extension DomainError: RPCErrorConvertible {
    /// The wire status of each domain error: the one mapping from LifeCore to the protocol.
    public var rpcError: RPCError {
        switch self {
        case .invalidField(let field, let reason, let message):
            RPCError(
                .invalidArgument,
                message,
                reason: "INVALID_FIELD",
                fieldViolations: [.init(field: field, reason: reason, description: message)]
            )
        case .invalidFields(let violations):
            RPCError(
                .invalidArgument,
                violations.count == 1
                    ? violations[0].message : "\(violations.count) fields are invalid: " + violations.map(\.field).joined(separator: ", "),
                reason: "INVALID_FIELD",
                fieldViolations: violations.map { .init(field: $0.field, reason: $0.reason, description: $0.message) }
            )
        case .notFound(let what):
            RPCError(.notFound, "\(what) not found")
        case .alreadyExists(let what):
            RPCError(.alreadyExists, "\(what) already exists")
        case .unauthenticated:
            // Deliberately the same for every cause: no hint whether the id exists.
            RPCError(.unauthenticated, "login failed or session not valid")
        case .permissionDenied(let message):
            RPCError(.permissionDenied, message)
        case .passwordChangeRequired:
            RPCError(.failedPrecondition, "the password must be changed first (Auth.ChangePassword)", reason: "PASSWORD_CHANGE_REQUIRED")
        case .failedPrecondition(let message):
            RPCError(.failedPrecondition, message)
        case .outOfRange(let message):
            RPCError(.outOfRange, message)
        case .versionConflict(let message):
            RPCError(.aborted, message, reason: "VERSION_MISMATCH")
        case .resourceExhausted(let message):
            RPCError(.resourceExhausted, message)
        case .refusedByMode(let mode, let reason):
            RPCError(
                .failedPrecondition,
                "the server is in \(mode) mode\(reason.isEmpty ? "" : " (\(reason))"): "
                    + (mode == .readOnly
                        ? "it changes no data now"
                        : "deleting recipients, disabling facilities and creating facilities wait until the migration ends"),
                reason: "OPERATING_MODE")
        case .storageFull:
            RPCError(
                .resourceExhausted, "the server's disk is full: nothing was changed; try again once space is freed", reason: "DISK_FULL")
        }
    }
}
