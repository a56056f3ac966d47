import Foundation
import LifeWire

/// How lifectl reports a call that failed: the status, the message, one line per field.
enum CommandFailure {
    static func report(_ error: RPCError) {
        var message = "lifectl: \(error.code): \(error.message)"
        for violation in error.fieldViolations {
            message += "\n  \(violation.field): \(violation.reason): \(violation.description)"
        }
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}
