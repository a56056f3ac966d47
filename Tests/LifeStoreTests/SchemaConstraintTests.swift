import Foundation
import GRDB
import LifeCore
import LifeStore
import Testing

/// The schema itself refuses bad rows, whoever writes them: each case is raw SQL through a second
/// connection (foreign keys on, as SQLite requires per connection).
@Suite("Schema constraints")
struct SchemaConstraintTests {
    /// One statement the schema must refuse, and the SQLite extended code it must refuse it with.
    struct Violation: CustomTestStringConvertible, Sendable {
        let name: String
        let sql: String
        let code: Int32

        var testDescription: String { name }
    }

    private static let facility = Sample.facilityNumber(1).rawValue
    private static let times = "1770000000000000, 1770000000000000"

    static let violations: [Violation] = [
        Violation(
            name: "duplicate facility number",
            sql: "INSERT INTO facility (number, name, disabled, created_at, updated_at) VALUES ('\(facility)', 'x', 0, \(times))",
            code: ResultCode.SQLITE_CONSTRAINT_PRIMARYKEY.rawValue
        ),
        Violation(
            name: "facility without a name",
            sql:
                "INSERT INTO facility (number, name, disabled, created_at, updated_at) VALUES ('\(Sample.facilityNumber(2))', NULL, 0, \(times))",
            code: ResultCode.SQLITE_CONSTRAINT_NOTNULL.rawValue
        ),
        Violation(
            name: "facility number of 9 characters",
            sql: "INSERT INTO facility (number, name, disabled, created_at, updated_at) VALUES ('131010001', 'x', 0, \(times))",
            code: ResultCode.SQLITE_CONSTRAINT_CHECK.rawValue
        ),
        Violation(
            name: "text in an INTEGER time column (STRICT)",
            sql:
                "INSERT INTO facility (number, name, disabled, created_at, updated_at) VALUES ('\(Sample.facilityNumber(2))', 'x', 0, 'yesterday', 1)",
            code: 3091  // SQLITE_CONSTRAINT_DATATYPE
        ),
        Violation(
            name: "staff of an unknown facility",
            sql: staffInsert(facility: Sample.facilityNumber(9).rawValue, login: "new", role: "operator"),
            code: ResultCode.SQLITE_CONSTRAINT_FOREIGNKEY.rawValue
        ),
        Violation(
            name: "duplicate login id in a facility",
            sql: staffInsert(facility: facility, login: "tanaka", role: "operator"),
            code: ResultCode.SQLITE_CONSTRAINT_UNIQUE.rawValue
        ),
        Violation(
            name: "unknown role",
            sql: staffInsert(facility: facility, login: "new", role: "root"),
            code: ResultCode.SQLITE_CONSTRAINT_CHECK.rawValue
        ),
        Violation(
            name: "fingerprint of 63 digits",
            sql: registrationInsert(fingerprint: String(Sample.fingerprint(7).dropLast()), facility: facility),
            code: ResultCode.SQLITE_CONSTRAINT_CHECK.rawValue
        ),
        Violation(
            name: "upper-case fingerprint",
            sql: registrationInsert(fingerprint: Sample.fingerprint(7).uppercased(), facility: facility),
            code: ResultCode.SQLITE_CONSTRAINT_CHECK.rawValue
        ),
        Violation(
            name: "second registration in force of a fingerprint",
            sql: registrationInsert(fingerprint: Sample.fingerprint(1), facility: facility),
            code: ResultCode.SQLITE_CONSTRAINT_UNIQUE.rawValue
        ),
        Violation(
            name: "certificate of an unknown facility",
            sql: registrationInsert(fingerprint: Sample.fingerprint(7), facility: Sample.facilityNumber(9).rawValue),
            code: ResultCode.SQLITE_CONSTRAINT_FOREIGNKEY.rawValue
        ),
        Violation(
            name: "duplicate token hash",
            sql: sessionInsert(token: Sample.tokenHash(1), staffID: 1, facility: facility),
            code: ResultCode.SQLITE_CONSTRAINT_PRIMARYKEY.rawValue
        ),
        Violation(
            name: "session of an unknown staff member",
            sql: sessionInsert(token: Sample.tokenHash(2), staffID: 99, facility: facility),
            code: ResultCode.SQLITE_CONSTRAINT_FOREIGNKEY.rawValue
        ),
        Violation(
            name: "session in another facility than its staff member's",
            sql: sessionInsert(token: Sample.tokenHash(2), staffID: 1, facility: Sample.facilityNumber(2).rawValue),
            code: ResultCode.SQLITE_CONSTRAINT_FOREIGNKEY.rawValue
        ),
        Violation(
            name: "duplicate audit sequence",
            sql: auditInsert(sequence: 1),
            code: ResultCode.SQLITE_CONSTRAINT_PRIMARYKEY.rawValue
        ),
        Violation(
            name: "audit sequence 0",
            sql: auditInsert(sequence: 0),
            code: ResultCode.SQLITE_CONSTRAINT_CHECK.rawValue
        ),
    ]

    @Test(arguments: violations)
    func schemaRefuses(_ violation: Violation) async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let store = fixture.store
        try await store.createFacility(Sample.facility(1))
        try await store.createFacility(Sample.facility(2))
        try await store.registerCertificate(Sample.registration(1, facility: Sample.facilityNumber(1)))
        let tanaka = try await store.createStaffMember(Sample.staff("tanaka", facility: Sample.facilityNumber(1)))
        #expect(tanaka.id == 1)
        try await store.createSession(Sample.session(1, staff: tanaka))
        try await store.appendAudit(Sample.event(1))

        let raw = try fixture.rawConnection()
        let error = #expect(throws: DatabaseError.self) {
            try raw.write { db in try db.execute(sql: violation.sql) }
        }
        #expect(error?.extendedResultCode.rawValue == violation.code, "\(String(describing: error))")
        #expect(try await store.integrityCheck() == [])
    }

    private static func staffInsert(facility: String, login: String, role: String) -> String {
        """
        INSERT INTO staff (facility_number, login_id, display_name, role, password_hash, must_change_password, disabled,
            failed_login_count, created_at, updated_at)
        VALUES ('\(facility)', '\(login)', 'x', '\(role)', 'hash', 0, 0, 0, \(times))
        """
    }

    private static func registrationInsert(fingerprint: String, facility: String) -> String {
        """
        INSERT INTO certificate_registration (fingerprint, facility_number, subject, note, registered_at)
        VALUES ('\(fingerprint)', '\(facility)', '', '', 1770000000000000)
        """
    }

    private static func sessionInsert(token: String, staffID: Int, facility: String) -> String {
        """
        INSERT INTO session (token_hash, staff_id, facility_number, certificate_fingerprint, created_at, last_seen_at, expires_at)
        VALUES ('\(token)', \(staffID), '\(facility)', '\(Sample.fingerprint(1))', \(times), 1770000000000000)
        """
    }

    private static func auditInsert(sequence: Int) -> String {
        """
        INSERT INTO audit_event VALUES (\(sequence), 1770000000000000, '', '', '', '', '/m', '', 'OK', '',
            '\(String(repeating: "0", count: 64))', '\(String(repeating: "1", count: 64))')
        """
    }
}
