import Crypto
import Foundation
import LifeApp
import LifeCore
import LifePKI
import LifeProto
import LifeStubs
import LifeWire

/// life.v1.Admin, for operators on the Unix socket only: facilities, certificate registrations,
/// first facility admins, unlocking, backup, integrity check, the audit log. Every call is
/// audited with the peer's uid and pid. Insurer, registry and verification-job methods arrive with
/// the verification work and answer UNIMPLEMENTED until then.
public struct AdminService: Life_V1_AdminService {
    private let storage: any LifeStorage
    private let hasher: any PasswordHasher
    private let settings: AuthSettings
    private let audit: AuditRecorder
    private let backups: BackupDestination
    private let pageTokens = PageTokenCodec()

    public init(storage: any LifeStorage, hasher: any PasswordHasher, settings: AuthSettings, backups: BackupDestination) {
        self.storage = storage
        self.hasher = hasher
        self.settings = settings
        self.audit = AuditRecorder(storage: storage)
        self.backups = backups
    }

    // MARK: Facilities

    public func createFacility(_ request: Life_V1_CreateFacilityRequest, context: ServerCallContext) async throws
        -> Life_V1_CreateFacilityResponse
    {
        try await admin(context, target: "facility:\(request.facility.facilityNumber.prefix(16))") {
            let number = try facilityNumber(request.facility.facilityNumber, field: "facility.facility_number")
            let name = request.facility.name.trimmingCharacters(in: .whitespaces)
            guard (1...200).contains(name.count), !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw DomainError.invalidField(field: "facility.name", reason: "FORMAT", message: "facility name must be 1…200 characters")
            }
            let now = Date()
            let facility = Facility(number: number, name: name, createdAt: now, updatedAt: now)
            try await storage.createFacility(facility)
            var response = Life_V1_CreateFacilityResponse()
            response.facility = Life_V1_Facility(facility)
            return response
        }
    }

    public func listFacilities(_ request: Life_V1_ListFacilitiesRequest, context: ServerCallContext) async throws
        -> Life_V1_ListFacilitiesResponse
    {
        try await admin(context) {
            let all = try await storage.facilities().filter { request.includeDisabled || !$0.disabled }.sorted { $0.number < $1.number }
            let page = try Paging(request.page, total: all.count)
            var response = Life_V1_ListFacilitiesResponse()
            response.facilities = all[page.range].map(Life_V1_Facility.init)
            response.page = page.response
            return response
        }
    }

    public func disableFacility(_ request: Life_V1_DisableFacilityRequest, context: ServerCallContext) async throws
        -> Life_V1_DisableFacilityResponse
    {
        var response = Life_V1_DisableFacilityResponse()
        response.facility = try await setDisabled(request.facilityNumber, true, context)
        return response
    }

    public func enableFacility(_ request: Life_V1_EnableFacilityRequest, context: ServerCallContext) async throws
        -> Life_V1_EnableFacilityResponse
    {
        var response = Life_V1_EnableFacilityResponse()
        response.facility = try await setDisabled(request.facilityNumber, false, context)
        return response
    }

    private func setDisabled(_ text: String, _ disabled: Bool, _ context: ServerCallContext) async throws -> Life_V1_Facility {
        try await admin(context, target: "facility:\(text.prefix(16))") {
            let number = try facilityNumber(text, field: "facility_number")
            try await storage.setFacilityDisabled(number, disabled: disabled, at: Date())
            guard let facility = try await storage.facility(number) else { throw DomainError.notFound("facility \(number)") }
            return Life_V1_Facility(facility)
        }
    }

    // MARK: Certificates

    public func createCertificateRegistration(_ request: Life_V1_CreateCertificateRegistrationRequest, context: ServerCallContext)
        async throws
        -> Life_V1_CreateCertificateRegistrationResponse
    {
        try await admin(context, target: "facility:\(request.facilityNumber.prefix(16))") {
            let number = try facilityNumber(request.facilityNumber, field: "facility_number")
            var registration = CertificateRegistration(fingerprint: "", facility: number, note: request.note, registeredAt: Date())
            switch request.certificate {
            case .fingerprint(let fingerprint):
                let normalized = fingerprint.lowercased().replacingOccurrences(of: ":", with: "")
                guard normalized.count == 64, normalized.allSatisfy(\.isHexDigit) else {
                    throw DomainError.invalidField(
                        field: "fingerprint", reason: "FORMAT", message: "fingerprint must be 64 hex digits (SHA-256 of the DER)")
                }
                registration.fingerprint = normalized
            case .certificateDer(let der):
                guard let facts = try? CertificateFacts(derEncoded: Array(der)) else {
                    throw DomainError.invalidField(field: "certificate_der", reason: "FORMAT", message: "not a DER X.509 certificate")
                }
                registration.fingerprint = facts.fingerprintSHA256
                registration.subject = facts.subject
                registration.notAfter = facts.certificate.notValidAfter
            case nil:
                throw DomainError.invalidField(field: "certificate", reason: "REQUIRED", message: "give the fingerprint or the certificate")
            }
            try await storage.registerCertificate(registration)
            var response = Life_V1_CreateCertificateRegistrationResponse()
            response.registration = Life_V1_CertificateRegistration(registration)
            return response
        }
    }

    public func listCertificateRegistrations(_ request: Life_V1_ListCertificateRegistrationsRequest, context: ServerCallContext)
        async throws
        -> Life_V1_ListCertificateRegistrationsResponse
    {
        try await admin(context) {
            let number = request.facilityNumber.isEmpty ? nil : try facilityNumber(request.facilityNumber, field: "facility_number")
            let all = try await storage.certificateRegistrations(facility: number)
                .filter { request.includeRevoked || $0.revokedAt == nil }
                .sorted { ($0.facility, $0.registeredAt) < ($1.facility, $1.registeredAt) }
            let page = try Paging(request.page, total: all.count)
            var response = Life_V1_ListCertificateRegistrationsResponse()
            response.registrations = all[page.range].map(Life_V1_CertificateRegistration.init)
            response.page = page.response
            return response
        }
    }

    public func revokeCertificateRegistration(_ request: Life_V1_RevokeCertificateRegistrationRequest, context: ServerCallContext)
        async throws
        -> Life_V1_RevokeCertificateRegistrationResponse
    {
        let fingerprint = request.fingerprint.lowercased().replacingOccurrences(of: ":", with: "")
        return try await admin(context, target: "certificate:\(fingerprint.prefix(64))") {
            guard let active = try await storage.activeCertificateRegistration(fingerprint: fingerprint) else {
                throw DomainError.notFound("registration of certificate \(fingerprint.prefix(64))")
            }
            let now = Date()
            try await storage.revokeCertificate(fingerprint: fingerprint, at: now)
            var revoked = active
            revoked.revokedAt = now
            var response = Life_V1_RevokeCertificateRegistrationResponse()
            response.registration = Life_V1_CertificateRegistration(revoked)
            return response
        }
    }

    // MARK: Staff

    public func createFacilityAdmin(_ request: Life_V1_CreateFacilityAdminRequest, context: ServerCallContext) async throws
        -> Life_V1_CreateFacilityAdminResponse
    {
        try await admin(context, target: "staff:\(request.loginID.prefix(64))") {
            let member = try await StaffRules.createAccount(
                facility: try facilityNumber(request.facilityNumber, field: "facility_number"),
                loginID: request.loginID,
                displayName: request.displayName,
                role: .facilityAdmin,
                initialPassword: request.initialPassword,
                fields: ("login_id", "display_name", "initial_password"),
                storage: storage,
                hasher: hasher,
                policy: settings.passwords
            )
            var response = Life_V1_CreateFacilityAdminResponse()
            response.staffMember = Life_V1_StaffMember(member)
            return response
        }
    }

    public func unlockStaffMember(_ request: Life_V1_AdminUnlockStaffMemberRequest, context: ServerCallContext) async throws
        -> Life_V1_AdminUnlockStaffMemberResponse
    {
        try await admin(context, target: "staff:\(request.loginID.prefix(64))") {
            let number = try facilityNumber(request.facilityNumber, field: "facility_number")
            guard var member = try await storage.staffMember(facility: number, loginID: request.loginID) else {
                throw DomainError.notFound("staff member \"\(request.loginID.prefix(64))\" of facility \(number)")
            }
            member.updatedAt = Date()
            try await storage.unlockStaffMember(staffID: member.id!, at: member.updatedAt)
            member.failedLoginCount = 0
            member.lockedUntil = nil
            var response = Life_V1_AdminUnlockStaffMemberResponse()
            response.staffMember = Life_V1_StaffMember(member)
            return response
        }
    }

    // MARK: Database

    public func backupDatabase(
        _ request: Life_V1_BackupDatabaseRequest,
        context: ServerCallContext,
        responses: ResponseStreamWriter<Life_V1_BackupDatabaseResponse>
    ) async throws {
        try await admin(context, target: "backup") {
            let target = try backups.resolve(request.path, now: Date())
            let (progress, continuation) = AsyncStream.makeStream(of: Double.self, bufferingPolicy: .bufferingNewest(1))
            async let copied: Void = {
                defer { continuation.finish() }
                try await storage.backup(to: target) { continuation.yield($0) }
            }()
            for await fraction in progress {
                var update = Life_V1_BackupDatabaseResponse()
                update.copiedPages = UInt64(fraction * 1000)
                update.totalPages = 1000
                try await responses.write(update)
            }
            try await copied
            var done = Life_V1_BackupDatabaseResponse()
            done.copiedPages = 1000
            done.totalPages = 1000
            done.done = true
            done.path = target
            let data = try Data(contentsOf: URL(fileURLWithPath: target), options: .mappedIfSafe)
            done.sizeBytes = UInt64(data.count)
            done.sha256 = SHA256.hash(data: data).lowerHex
            try await responses.write(done)
        }
    }

    public func checkDatabaseIntegrity(_ request: Life_V1_CheckDatabaseIntegrityRequest, context: ServerCallContext) async throws
        -> Life_V1_CheckDatabaseIntegrityResponse
    {
        try await admin(context) {
            let start = ContinuousClock.now
            let problems = try await storage.integrityCheck()
            var response = Life_V1_CheckDatabaseIntegrityResponse()
            response.ok = problems.isEmpty
            response.problems = problems
            response.durationMs = UInt64(max(0, start.duration(to: .now).seconds * 1000))
            return response
        }
    }

    // MARK: Audit

    public func listAuditEvents(_ request: Life_V1_ListAuditEventsRequest, context: ServerCallContext) async throws
        -> Life_V1_ListAuditEventsResponse
    {
        try await admin(context) {
            let size = request.page.pageSize == 0 ? 50 : Int(request.page.pageSize)
            guard (1...500).contains(size) else {
                throw DomainError.invalidField(field: "page.page_size", reason: "RANGE", message: "page_size must be 0…500")
            }
            let filter = AuditFilter(
                facility: request.facilityNumber.isEmpty ? nil : request.facilityNumber,
                loginID: request.loginID.isEmpty ? nil : request.loginID,
                method: request.method.isEmpty ? nil : request.method,
                afterSequence: max(0, request.afterSequence))
            let scope = filter.canonicalDescription
            var before: Int64?
            if !request.page.pageToken.isEmpty {
                guard let sequence = Int64(try pageTokens.decode(payload: request.page.pageToken, scope: scope)) else {
                    throw DomainError.invalidField(field: "page.page_token", reason: "INVALID", message: "page_token is not valid")
                }
                before = sequence
            }
            let found = try await storage.auditRecords(matching: filter, before: before, limit: size + 1)
            let records = Array(found.prefix(size))
            var response = Life_V1_ListAuditEventsResponse()
            response.events = records.map(Life_V1_AuditEvent.init)
            if found.count > size, let last = records.last {
                response.page.nextPageToken = pageTokens.encode(payload: String(last.sequence), scope: scope)
            }
            return response
        }
    }

    public func verifyAuditChain(_ request: Life_V1_VerifyAuditChainRequest, context: ServerCallContext) async throws
        -> Life_V1_VerifyAuditChainResponse
    {
        try await admin(context) {
            var response = Life_V1_VerifyAuditChainResponse()
            switch try await storage.verifyAuditChain() {
            case .intact(let records):
                response.intact = true
                response.checkedCount = Int64(records)
            case .broken(let sequence, let reason):
                response.intact = false
                response.firstBrokenSequence = sequence
                response.checkedCount = max(0, sequence - 1)
                response.problem = reason
            }
            return response
        }
    }

    // MARK: Not yet offered

    public func createParticipatingInsurer(_ request: Life_V1_CreateParticipatingInsurerRequest, context: ServerCallContext) async throws
        -> Life_V1_CreateParticipatingInsurerResponse
    { throw Self.notYet }

    public func listParticipatingInsurers(_ request: Life_V1_ListParticipatingInsurersRequest, context: ServerCallContext) async throws
        -> Life_V1_ListParticipatingInsurersResponse
    { throw Self.notYet }

    public func importQualificationRecords(_ request: Life_V1_ImportQualificationRecordsRequest, context: ServerCallContext) async throws
        -> Life_V1_ImportQualificationRecordsResponse
    { throw Self.notYet }

    public func listVerificationJobs(_ request: Life_V1_ListVerificationJobsRequest, context: ServerCallContext) async throws
        -> Life_V1_ListVerificationJobsResponse
    { throw Self.notYet }

    private static let notYet = RPCError(.unimplemented, "eligibility verification is not available yet")

    // MARK: -

    /// Only on the Unix socket; audited with the peer's credentials.
    private func admin<T: Sendable>(_ context: ServerCallContext, target: String = "", _ body: () async throws -> T) async throws -> T {
        guard case .unix = context.peer else {
            throw DomainError.permissionDenied("admin methods are offered on the Unix socket only")
        }
        return try await audit.audited(context, target: target, body)
    }

    private func facilityNumber(_ text: String, field: String) throws -> FacilityNumber {
        do {
            return try FacilityNumber(text, checkDigit: settings.checkFacilityNumberDigit)
        } catch .invalidField(_, let reason, let message) {
            throw DomainError.invalidField(field: field, reason: reason, message: message)
        }
    }
}
