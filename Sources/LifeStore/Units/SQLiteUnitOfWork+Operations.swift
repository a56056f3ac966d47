import GRDB
import LifeCore

extension SQLiteUnitOfWork: OperationsUnitOfWork {
    func operatingMode() throws -> OperatingModeState {
        guard let row = try Row.fetchOne(cached: db, sql: "SELECT mode, reason, changed_at FROM operating_mode WHERE id = 1") else {
            return .initial
        }
        guard let mode = OperatingMode(rawValue: try row.decode(Int.self, atIndex: 0)) else { throw corrupt("operating_mode") }
        return OperatingModeState(
            mode: mode, reason: try row.decode(String.self, atIndex: 1), changedAt: StoredTime.date(try row.decode(Int64.self, atIndex: 2)))
    }

    func setOperatingMode(_ state: OperatingModeState) throws {
        try db.execute(
            cached: """
                INSERT INTO operating_mode (id, mode, reason, changed_at) VALUES (1, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET mode = excluded.mode, reason = excluded.reason, changed_at = excluded.changed_at
                """,
            arguments: [state.mode.rawValue, state.reason, StoredTime.microseconds(state.changedAt)])
    }
}
