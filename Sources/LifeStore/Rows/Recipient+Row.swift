import GRDB
import LifeCore

extension Recipient {
    /// The columns `init(row:path:)` reads, in `arguments` order.
    static let columns = [
        "id", "facility_number", "insurer_number", "insured_number", "full_name", "full_name_kana", "sex", "birth_date",
        "certification_date", "certification_valid_from", "certification_valid_until", "care_level", "service_type_code",
        "physical_independence", "dementia_independence", "version", "created_at", "updated_at", "updated_by",
        "verification_status", "verification_fields", "verified_at", "verified_on", "verified_version", "verified_revision",
        "legacy_id",
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
        ] + verificationValues(recipient.verification) + [recipient.legacyID]
    }

    /// The values of the `verification_…` and `verified_…` columns, in `columns` order.
    static func verificationValues(_ result: VerificationResult) -> [(any DatabaseValueConvertible)?] {
        [
            result.status.rawValue, result.outcome.mismatchedFields.reduce(0) { $0 | 1 << $1.rawValue },
            StoredTime.microseconds(result.checkedAt), result.checkedOn?.description, result.recipientVersion,
            result.registryRevision,
        ]
    }

    /// Where each of `columns` is in a row selected with `selection`. Reading by position skips
    /// GRDB's case-insensitive name lookup, which dominated the cost of a read.
    private static let position = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1, $0) })

    /// A recipient from a `recipient` row selected with `selection`. Values were validated when
    /// written; a value the domain refuses now means the file was edited by hand: `corruptData`.
    init(row: Row, path: String) throws {
        func corrupt(_ column: String) -> StoreError {
            StoreError(code: .corruptData, path: path, message: "database \(path) holds an invalid recipient.\(column)")
        }
        func value<T: DatabaseValueConvertible>(_ type: T.Type, _ column: String) throws -> T {
            try row.decode(T.self, atIndex: Self.position[column]!)
        }
        func date(_ column: String) throws -> CalendarDate? {
            guard let text = try value(String?.self, column) else { return nil }
            guard let date = CalendarDate(iso: text) else { throw corrupt(column) }
            return date
        }
        func code<T: RawRepresentable<Int>>(_ column: String) throws -> T {
            guard let code = T(rawValue: try value(Int.self, column)) else { throw corrupt(column) }
            return code
        }
        let facility: FacilityNumber
        let insurer: InsurerNumber
        let insured: InsuredNumber
        do {
            facility = try FacilityNumber(try value(String.self, "facility_number"), checkDigit: false)
            insurer = try InsurerNumber(try value(String.self, "insurer_number"))
            insured = try InsuredNumber(try value(String.self, "insured_number"))
        } catch is DomainError {
            throw corrupt("facility_number/insurer_number/insured_number")
        }
        guard let birth = try date("birth_date") else { throw corrupt("birth_date") }
        let fieldBits = try value(Int.self, "verification_fields")
        self.init(
            id: try value(String.self, "id"),
            facility: facility,
            fields: RecipientFields(
                insurerNumber: insurer,
                insuredNumber: insured,
                fullName: try value(String.self, "full_name"),
                fullNameKana: try value(String.self, "full_name_kana"),
                sex: try code("sex"),
                birthDate: birth,
                certificationDate: try date("certification_date"),
                certificationValidFrom: try date("certification_valid_from"),
                certificationValidUntil: try date("certification_valid_until"),
                careLevel: try code("care_level"),
                serviceTypeCode: try value(String.self, "service_type_code"),
                physicalIndependence: try code("physical_independence"),
                dementiaIndependence: try code("dementia_independence")
            ),
            version: try value(Int64.self, "version"),
            createdAt: StoredTime.date(try value(Int64.self, "created_at")),
            updatedAt: StoredTime.date(try value(Int64.self, "updated_at")),
            updatedBy: try value(String.self, "updated_by"),
            verification: VerificationResult(
                outcome: VerificationOutcome(
                    status: try code("verification_status"),
                    mismatchedFields: VerificationField.allCases.filter { fieldBits & 1 << $0.rawValue != 0 }),
                checkedAt: try value(Int64?.self, "verified_at").map(StoredTime.date),
                checkedOn: try date("verified_on"),
                recipientVersion: try value(Int64.self, "verified_version"),
                registryRevision: try value(Int64.self, "verified_revision")),
            legacyID: try value(String?.self, "legacy_id")
        )
    }
}
