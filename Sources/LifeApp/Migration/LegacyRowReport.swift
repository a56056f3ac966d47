/// A row of a migration file that was not imported cleanly. `reason` never holds a recipient's
/// field value: the report goes to the operator, not to the facility.
public struct LegacyRowReport: Error, Sendable, Hashable {
    public enum Outcome: Int, Sendable, Hashable {
        /// Not stored.
        case rejected = 1
        /// Stored, needing correction.
        case needsCorrection = 2
        /// Not applied: the record changed or was deleted here since it was imported.
        case conflict = 3
    }

    public var line: Int64
    /// The column, or empty for the row as a whole.
    public var column: String
    public var reason: String
    public var outcome: Outcome

    public init(line: Int64, column: String, reason: String, outcome: Outcome) {
        self.line = line
        self.column = column
        self.reason = reason
        self.outcome = outcome
    }
}
