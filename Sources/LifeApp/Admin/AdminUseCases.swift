import Foundation
import LifeCore
import Logging

/// What the local operator does: facilities, certificate registrations, a facility's first
/// admin, unlocking, the audit log, backup and integrity checks. Every call is audited with the
/// operator's process credentials, in the same unit of work as its change. A read still answers
/// when its audit record cannot be written because the disk is full (the operator needs
/// `db check`, `audit verify` and `backup` most then); that is logged instead.
public struct AdminUseCases: Sendable {
    private let storage: any LifeStorage
    private let hasher: any PasswordHasher
    private let passwords: PasswordPolicy
    private let clock: any WallClock
    private let tokens: PageTokenCodec
    private let logger: Logger

    public init(
        storage: any LifeStorage, hasher: any PasswordHasher, passwords: PasswordPolicy, clock: any WallClock = SystemClock(),
        tokens: PageTokenCodec = PageTokenCodec(), logger: Logger = Logger(label: "lifed.admin")
    ) {
        self.logger = logger
        self.storage = storage
        self.hasher = hasher
        self.passwords = passwords
        self.clock = clock
        self.tokens = tokens
    }

    // MARK: Facilities

    public func createFacility(_ admin: OperatorPrincipal, number: FacilityNumber, name: String) async throws -> Facility {
        let name = name.trimmingCharacters(in: .whitespaces)
        guard Facility.isValidName(name) else {
            throw DomainError.invalidField(field: "facility.name", reason: "FORMAT", message: "facility name must be 1…200 characters")
        }
        let now = clock.now()
        let facility = Facility(number: number, name: name, createdAt: now, updatedAt: now)
        return try await write(admin, target: Self.target(number)) { unit in
            try unit.createFacility(facility)
            return try unit.facility(number) ?? facility
        }
    }

    /// Facilities in number order, paged in storage.
    public func listFacilities(_ admin: OperatorPrincipal, includeDisabled: Bool, page: PageRequest) async throws -> Page<Facility> {
        let size = try page.resolvedSize()
        let scope = "facilities\u{1F}\(includeDisabled)"
        let after = try page.token.isEmpty ? nil : FacilityNumber(tokens.decode(payload: page.token, scope: scope), checkDigit: false)
        let tokens = self.tokens
        return try await read(admin, target: "facilities") { unit in
            let found = try unit.facilities(includeDisabled: includeDisabled, after: after, limit: size + 1)
            return Page(found: found, size: size, totalSize: try unit.countFacilities(includeDisabled: includeDisabled)) {
                tokens.encode(payload: $0.number.rawValue, scope: scope)
            }
        }
    }

    public func setFacilityDisabled(_ admin: OperatorPrincipal, number: FacilityNumber, disabled: Bool) async throws -> Facility {
        let now = clock.now()
        return try await write(admin, target: Self.target(number)) { unit in
            try unit.setFacilityDisabled(number, disabled: disabled, at: now)
        }
    }

    // MARK: Certificates

    /// Registers a certificate (by fingerprint, with what is known of it) to a facility.
    public func registerCertificate(_ admin: OperatorPrincipal, _ registration: CertificateRegistration) async throws
        -> CertificateRegistration
    {
        var registration = registration
        registration.registeredAt = clock.now()
        return try await write(admin, target: Self.target(registration.facility)) { [registration] unit in
            try unit.registerCertificate(registration)
            return try unit.activeCertificateRegistration(fingerprint: registration.fingerprint) ?? registration
        }
    }

    /// Registrations by facility and registration time, paged in storage.
    public func listCertificateRegistrations(
        _ admin: OperatorPrincipal, facility: FacilityNumber?, includeRevoked: Bool, page: PageRequest
    ) async throws -> Page<CertificateRegistration> {
        let size = try page.resolvedSize()
        let scope = "certificates\u{1F}\(facility?.rawValue ?? "")\u{1F}\(includeRevoked)"
        let after = try page.token.isEmpty ? nil : Self.cursor(try tokens.decode(payload: page.token, scope: scope))
        let tokens = self.tokens
        return try await read(admin, target: facility.map(Self.target) ?? "certificates") { unit in
            let found = try unit.certificateRegistrations(facility: facility, includeRevoked: includeRevoked, after: after, limit: size + 1)
            let total = try unit.countCertificateRegistrations(facility: facility, includeRevoked: includeRevoked)
            return Page(found: found, size: size, totalSize: total) { tokens.encode(payload: Self.payload($0), scope: scope) }
        }
    }

    /// Revokes a fingerprint registration and ends the sessions opened under that certificate.
    public func revokeCertificate(_ admin: OperatorPrincipal, fingerprint: String) async throws -> CertificateRegistration {
        let now = clock.now()
        return try await write(admin, target: "certificate:" + fingerprint.prefix(utf8Bytes: 64)) { unit in
            let revoked = try unit.revokeCertificate(fingerprint: fingerprint, at: now)
            // The sessions it opened end with it: a registration revoked is a terminal gone.
            _ = try unit.revokeSessions(certificateFingerprint: fingerprint, at: now)
            return revoked
        }
    }

    // MARK: Staff

    /// A facility's first 管理ユーザー (or another one), with an initial password to change.
    public func createFacilityAdmin(
        _ admin: OperatorPrincipal, facility: FacilityNumber, loginID: String, displayName: String, initialPassword: String
    ) async throws -> StaffMember {
        let member = try await StaffAccountRules.newAccount(
            StaffAccountDraft(loginID: loginID, displayName: displayName, role: .facilityAdmin), facility: facility,
            initialPassword: initialPassword, policy: passwords, hasher: hasher, now: clock.now())
        return try await write(admin, target: StaffUseCases.target(loginID)) { unit in try unit.createStaffMember(member) }
    }

    public func unlockStaffMember(_ admin: OperatorPrincipal, facility: FacilityNumber, loginID: String) async throws -> StaffMember {
        let now = clock.now()
        return try await write(admin, target: StaffUseCases.target(loginID)) { unit in
            guard let member = try unit.staffMember(facility: facility, loginID: loginID), let id = member.id else {
                throw DomainError.notFound("staff member \"\(loginID.prefix(64))\" of facility \(facility)")
            }
            return try unit.unlockStaffMember(staffID: id, at: now)
        }
    }

    // MARK: Audit log and database

    /// Audit records newest first, filtered and paged in storage.
    public func listAuditRecords(_ admin: OperatorPrincipal, filter: AuditFilter, page: PageRequest) async throws -> Page<AuditRecord> {
        let size = try page.resolvedSize()
        let scope = filter.canonicalDescription
        var before: Int64?
        if !page.token.isEmpty {
            guard let sequence = Int64(try tokens.decode(payload: page.token, scope: scope)) else { throw Self.invalidToken }
            before = sequence
        }
        let tokens = self.tokens
        return try await read(admin, target: "audit") { [before] unit in
            let found = try unit.auditRecords(matching: filter, before: before, limit: size + 1)
            return Page(found: found, size: size, totalSize: 0) { tokens.encode(payload: String($0.sequence), scope: scope) }
        }
    }

    /// Walks the whole audit chain and checks its sealed head; the walk is audited after it.
    /// Also says whether the head is sealed at all.
    public func verifyAuditChain(_ admin: OperatorPrincipal) async throws -> (AuditChain.Verification, headAnchored: Bool) {
        let verification = try await storage.verifyAuditChain()
        try await record(admin, target: "audit")
        return (verification, storage.auditHeadAnchored)
    }

    /// Copies the database to `path` while it keeps serving; audited once the copy is complete.
    public func backup(_ admin: OperatorPrincipal, to path: String, progress: @Sendable (Double) -> Void) async throws {
        try await storage.backup(to: path, progress: progress)
        try await record(admin, target: "backup")
    }

    /// Problems the backend's integrity check finds; empty when the database is sound.
    public func integrityCheck(_ admin: OperatorPrincipal) async throws -> [String] {
        let problems = try await storage.integrityCheck()
        try await record(admin, target: "database")
        return problems
    }

    // MARK: -

    /// One unit of work with its audit record.
    private func write<T: Sendable>(_ admin: OperatorPrincipal, target: String, _ body: @escaping @Sendable (any UnitOfWork) throws -> T)
        async throws -> T
    {
        let now = clock.now()
        return try await storage.unitOfWork { unit in
            let result = try body(unit)
            try unit.appendAudit(admin.auditEvent(time: now, target: target))
            return result
        }
    }

    /// A read on one snapshot, then its audit record.
    private func read<T: Sendable>(_ admin: OperatorPrincipal, target: String, _ body: @escaping @Sendable (any UnitOfWork) throws -> T)
        async throws -> T
    {
        let result = try await storage.snapshot(body)
        try await record(admin, target: target)
        return result
    }

    /// Records a read; on a full disk the read still answers and the journal says what was not
    /// recorded.
    private func record(_ admin: OperatorPrincipal, target: String) async throws {
        do {
            try await write(admin, target: target) { _ in () }
        } catch DomainError.storageFull {
            logger.warning(
                "disk full: the audit record of an operator's read was not written",
                metadata: ["method": "\(admin.call.method)", "peer": "\(admin.call.localPeer)", "target": "\(target)"])
        }
    }

    static func target(_ number: FacilityNumber) -> String { "facility:" + number.rawValue }

    private static func payload(_ registration: CertificateRegistration) -> String {
        let micros = Int64((registration.registeredAt.timeIntervalSince1970 * 1_000_000).rounded())
        return [registration.facility.rawValue, String(micros), registration.fingerprint].joined(separator: "\u{1F}")
    }

    private static func cursor(_ payload: String) throws -> CertificateRegistrationCursor {
        let parts = payload.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let micros = Int64(parts[1]) else { throw invalidToken }
        return CertificateRegistrationCursor(
            facility: try FacilityNumber(parts[0], checkDigit: false),
            registeredAt: Date(timeIntervalSince1970: Double(micros) / 1_000_000),
            fingerprint: parts[2])
    }

    private static let invalidToken = DomainError.invalidField(
        field: "page.page_token", reason: "INVALID", message: "page_token is not valid")
}
