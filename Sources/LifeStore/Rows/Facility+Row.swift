import GRDB
import LifeCore

extension Facility {
    /// The columns `init(row:path:)` reads.
    static let selection = "number, name, disabled, created_at, updated_at, service_type_codes"

    /// A facility from a `facility` row.
    init(row: Row, path: String) throws {
        self.init(
            number: try row.facilityNumber("number", path: path),
            name: try row.decode(String.self, forColumn: "name"),
            disabled: try row.decode(Bool.self, forColumn: "disabled"),
            createdAt: try row.time("created_at"),
            updatedAt: try row.time("updated_at"),
            serviceTypeCodes: try row.decode(String.self, forColumn: "service_type_codes").split(separator: " ").map(String.init)
        )
    }
}
