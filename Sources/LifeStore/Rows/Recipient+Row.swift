import GRDB
import LifeCore

extension Recipient {
    /// The columns `init(row:path:)` reads, in `arguments` order.
    static let columns = [
        "id", "facility_number", "insurer_number", "insured_number", "full_name", "full_name_kana", "sex", "birth_date",
        "certification_date", "certification_valid_from", "certification_valid_until", "care_level", "service_type_code",
        "physical_independence", "dementia_independence", "version", "created_at", "updated_at", "updated_by",
    ]
    static let selection = columns.joined(separator: ", ")

    /// The values of `columns` for this recipient.
    var arguments: StatementArguments { StatementArguments(Self.columnValues(self)) }

    /// The values of `columns` for `recipient`, in order.
    static func columnValues(_ recipient: Recipient) -> [(any DatabaseValueConvertible)?] {
        let f = recipient.fields
        return [
            recipient.id, recipient.facility.rawValue, f.insurerNumber.rawValue, f.insuredNumber.rawValue, f.fullName, f.fullNameKana,
            f.sex.rawValue,
            f.birthDate.description, f.certificationDate?.description, f.certificationValidFrom?.description,
            f.certificationValidUntil?.description, f.careLevel.rawValue, f.serviceTypeCode, f.physicalIndependence.rawValue,
            f.dementiaIndependence.rawValue, recipient.version, StoredTime.microseconds(recipient.createdAt),
            StoredTime.microseconds(recipient.updatedAt), recipient.updatedBy,
        ]
    }

    /// A recipient from a `recipient` row. Values were validated when written; a value the
    /// domain refuses now means the file was edited by hand: `corruptData`.
    init(row: Row, path: String) throws {
        func corrupt(_ column: String) -> StoreError {
            StoreError(code: .corruptData, path: path, message: "database \(path) holds an invalid recipient.\(column)")
        }
        func date(_ column: String) throws -> CalendarDate? {
            guard let text = try row.decode(String?.self, forColumn: column) else { return nil }
            guard let date = CalendarDate(iso: text) else { throw corrupt(column) }
            return date
        }
        func code<T: RawRepresentable<Int>>(_ column: String) throws -> T {
            guard let value = T(rawValue: try row.decode(Int.self, forColumn: column)) else { throw corrupt(column) }
            return value
        }
        let insurer: InsurerNumber
        let insured: InsuredNumber
        do {
            insurer = try InsurerNumber(try row.decode(String.self, forColumn: "insurer_number"))
            insured = try InsuredNumber(try row.decode(String.self, forColumn: "insured_number"))
        } catch is DomainError {
            throw corrupt("insurer_number/insured_number")
        }
        guard let birth = try date("birth_date") else { throw corrupt("birth_date") }
        self.init(
            id: try row.decode(String.self, forColumn: "id"),
            facility: try row.facilityNumber("facility_number", path: path),
            fields: RecipientFields(
                insurerNumber: insurer,
                insuredNumber: insured,
                fullName: try row.decode(String.self, forColumn: "full_name"),
                fullNameKana: try row.decode(String.self, forColumn: "full_name_kana"),
                sex: try code("sex"),
                birthDate: birth,
                certificationDate: try date("certification_date"),
                certificationValidFrom: try date("certification_valid_from"),
                certificationValidUntil: try date("certification_valid_until"),
                careLevel: try code("care_level"),
                serviceTypeCode: try row.decode(String.self, forColumn: "service_type_code"),
                physicalIndependence: try code("physical_independence"),
                dementiaIndependence: try code("dementia_independence")
            ),
            version: try row.decode(Int64.self, forColumn: "version"),
            createdAt: try row.time("created_at"),
            updatedAt: try row.time("updated_at"),
            updatedBy: try row.decode(String.self, forColumn: "updated_by")
        )
    }
}
