import Foundation

/// How much the server accepts through the switch-over from the old LIFE (運用モード), with the
/// wire's numbering.
public enum OperatingMode: Int, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Everything is served.
    case normal = 1
    /// While the old system's data is transferred (the seed's ※1): deleting recipients and
    /// facility information and creating facilities are refused.
    case migrationFreeze = 2
    /// Reference only (the seed's ※2): every change of data is refused.
    case readOnly = 3

    /// The name operators type and read: normal, migration-freeze, read-only.
    public var description: String {
        switch self {
        case .normal: "normal"
        case .migrationFreeze: "migration-freeze"
        case .readOnly: "read-only"
        }
    }

    public init?(name: String) {
        guard let mode = Self.allCases.first(where: { $0.description == name }) else { return nil }
        self = mode
    }
}

/// The mode in force, why and since when.
public struct OperatingModeState: Sendable, Hashable {
    public var mode: OperatingMode
    public var reason: String
    /// Nil when never changed.
    public var changedAt: Date?

    public init(mode: OperatingMode, reason: String, changedAt: Date?) {
        self.mode = mode
        self.reason = reason
        self.changedAt = changedAt
    }

    public static let initial = OperatingModeState(mode: .normal, reason: "", changedAt: nil)
}
