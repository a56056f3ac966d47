import Foundation
import LifeCore
import Synchronization

/// The operating mode in force: read by every call (from memory), changed by the local operator
/// (stored and audited in one unit of work, then in force at once). Observers hear of each change
/// (the systemd status line).
public final class OperatingModeSwitch: Sendable {
    private let store: any TransactionalStore
    private let clock: any WallClock
    private let state: Mutex<OperatingModeState>
    private let observers = Mutex<[@Sendable (OperatingModeState) -> Void]>([])

    /// Reads the stored mode.
    public init(store: any TransactionalStore, clock: any WallClock = SystemClock()) async throws {
        self.store = store
        self.clock = clock
        state = Mutex(try await store.snapshot { try $0.operatingMode() })
    }

    public var current: OperatingModeState { state.withLock { $0 } }

    /// Calls `body` after each change.
    public func observe(_ body: @escaping @Sendable (OperatingModeState) -> Void) {
        observers.withLock { $0.append(body) }
    }

    public func set(_ admin: OperatorPrincipal, mode: OperatingMode, reason: String) async throws -> OperatingModeState {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...500).contains(reason.count), !reason.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw DomainError.invalidField(
                field: "reason", reason: "REQUIRED", message: "give a reason of 1…500 characters (it goes into the audit log)")
        }
        let now = clock.now().microsecondPrecision
        let new = OperatingModeState(mode: mode, reason: reason, changedAt: now)
        try await store.unitOfWork { unit in
            try unit.setOperatingMode(new)
            try unit.appendAudit(
                admin.auditEvent(time: now, target: "operating-mode:\(mode)", result: "OK", reason: String(reason.prefix(200))))
        }
        state.withLock { $0 = new }
        for observer in observers.withLock({ $0 }) { observer(new) }
        return new
    }

    /// The state as the operator asked for it (audited like every admin read).
    public func read(_ admin: OperatorPrincipal) async throws -> OperatingModeState {
        let now = clock.now()
        try await store.audit(admin.auditEvent(time: now, target: "operating-mode"))
        return current
    }
}
