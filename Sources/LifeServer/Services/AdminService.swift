import Crypto
import Foundation
import LifeApp
import LifeCore
import LifePKI
import LifeProto
import LifeStubs
import LifeWire

/// life.v1.Admin, for the local operator on the Unix socket only (`CallGate` admits nobody else):
/// decode, one `AdminUseCases`, `RegistryUseCases` or `MigrationUseCases` call, encode.
public struct AdminService: Life_V1_AdminService {
    private let admin: AdminUseCases
    private let registry: RegistryUseCases
    private let migration: MigrationUseCases
    private let operatingMode: OperatingModeSwitch
    private let readiness: CertificateReadinessUseCases
    private let settings: AuthSettings
    private let backups: BackupDestination
    private let clock: any WallClock
    private let endConnections: @Sendable (_ fingerprint: String) -> Void

    /// `endConnections` ends the open TLS connections of the certificate with that fingerprint
    /// once its registration is revoked (`Listener.dropConnections(presenting:)`).
    public init(
        admin: AdminUseCases, registry: RegistryUseCases, migration: MigrationUseCases, operatingMode: OperatingModeSwitch,
        readiness: CertificateReadinessUseCases, settings: AuthSettings,
        backups: BackupDestination, clock: any WallClock = SystemClock(),
        endConnections: @escaping @Sendable (_ fingerprint: String) -> Void = { _ in }
    ) {
        self.admin = admin
        self.registry = registry
        self.migration = migration
        self.operatingMode = operatingMode
        self.readiness = readiness
        self.settings = settings
        self.backups = backups
        self.clock = clock
        self.endConnections = endConnections
    }

    // MARK: Facilities

    public func createFacility(_ request: Life_V1_CreateFacilityRequest, context: ServerCallContext) async throws
        -> Life_V1_CreateFacilityResponse
    {
        let number = try facilityNumber(request.facility.facilityNumber, field: "facility.facility_number")
        var response = Life_V1_CreateFacilityResponse()
        response.facility = Life_V1_Facility(
            try await admin.createFacility(try context.localOperator(), number: number, name: request.facility.name))
        return response
    }

    public func listFacilities(_ request: Life_V1_ListFacilitiesRequest, context: ServerCallContext) async throws
        -> Life_V1_ListFacilitiesResponse
    {
        let page = try await admin.listFacilities(
            try context.localOperator(), includeDisabled: request.includeDisabled, page: PageRequest(request.page))
        var response = Life_V1_ListFacilitiesResponse()
        response.facilities = page.items.map(Life_V1_Facility.init)
        response.page = Life_V1_PageResponse(page)
        return response
    }

    public func disableFacility(_ request: Life_V1_DisableFacilityRequest, context: ServerCallContext) async throws
        -> Life_V1_DisableFacilityResponse
    {
        let number = try facilityNumber(request.facilityNumber, field: "facility_number")
        var response = Life_V1_DisableFacilityResponse()
        response.facility = Life_V1_Facility(
            try await admin.setFacilityDisabled(try context.localOperator(), number: number, disabled: true))
        return response
    }

    public func enableFacility(_ request: Life_V1_EnableFacilityRequest, context: ServerCallContext) async throws
        -> Life_V1_EnableFacilityResponse
    {
        let number = try facilityNumber(request.facilityNumber, field: "facility_number")
        var response = Life_V1_EnableFacilityResponse()
        response.facility = Life_V1_Facility(
            try await admin.setFacilityDisabled(try context.localOperator(), number: number, disabled: false))
        return response
    }

    // MARK: Certificates

    public func createCertificateRegistration(_ request: Life_V1_CreateCertificateRegistrationRequest, context: ServerCallContext)
        async throws
        -> Life_V1_CreateCertificateRegistrationResponse
    {
        let number = try facilityNumber(request.facilityNumber, field: "facility_number")
        var registration = CertificateRegistration(fingerprint: "", facility: number, note: request.note, registeredAt: clock.now())
        switch request.certificate {
        case .fingerprint(let fingerprint):
            let normalized = Self.normalized(fingerprint: fingerprint)
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
        var response = Life_V1_CreateCertificateRegistrationResponse()
        response.registration = Life_V1_CertificateRegistration(
            try await admin.registerCertificate(try context.localOperator(), registration))
        return response
    }

    public func listCertificateRegistrations(_ request: Life_V1_ListCertificateRegistrationsRequest, context: ServerCallContext)
        async throws
        -> Life_V1_ListCertificateRegistrationsResponse
    {
        let number = request.facilityNumber.isEmpty ? nil : try facilityNumber(request.facilityNumber, field: "facility_number")
        let page = try await admin.listCertificateRegistrations(
            try context.localOperator(), facility: number, includeRevoked: request.includeRevoked, page: PageRequest(request.page))
        var response = Life_V1_ListCertificateRegistrationsResponse()
        response.registrations = page.items.map(Life_V1_CertificateRegistration.init)
        response.page = Life_V1_PageResponse(page)
        return response
    }

    public func revokeCertificateRegistration(_ request: Life_V1_RevokeCertificateRegistrationRequest, context: ServerCallContext)
        async throws
        -> Life_V1_RevokeCertificateRegistrationResponse
    {
        let fingerprint = Self.normalized(fingerprint: request.fingerprint)
        let revoked = try await admin.revokeCertificate(try context.localOperator(), fingerprint: fingerprint)
        // Its sessions ended in the same unit of work; its connections end now that it committed.
        endConnections(fingerprint)
        var response = Life_V1_RevokeCertificateRegistrationResponse()
        response.registration = Life_V1_CertificateRegistration(revoked)
        return response
    }

    // MARK: Staff

    public func createFacilityAdmin(_ request: Life_V1_CreateFacilityAdminRequest, context: ServerCallContext) async throws
        -> Life_V1_CreateFacilityAdminResponse
    {
        let member = try await admin.createFacilityAdmin(
            try context.localOperator(), facility: try facilityNumber(request.facilityNumber, field: "facility_number"),
            loginID: request.loginID, displayName: request.displayName, initialPassword: request.initialPassword)
        var response = Life_V1_CreateFacilityAdminResponse()
        response.staffMember = Life_V1_StaffMember(member)
        return response
    }

    public func unlockStaffMember(_ request: Life_V1_AdminUnlockStaffMemberRequest, context: ServerCallContext) async throws
        -> Life_V1_AdminUnlockStaffMemberResponse
    {
        let member = try await admin.unlockStaffMember(
            try context.localOperator(), facility: try facilityNumber(request.facilityNumber, field: "facility_number"),
            loginID: request.loginID)
        var response = Life_V1_AdminUnlockStaffMemberResponse()
        response.staffMember = Life_V1_StaffMember(member)
        return response
    }

    // MARK: Switch-over

    public func listCertificateReadiness(_ request: Life_V1_ListCertificateReadinessRequest, context: ServerCallContext) async throws
        -> Life_V1_ListCertificateReadinessResponse
    {
        let days = request.expiringWithinDays == 0 ? 30 : Int(request.expiringWithinDays)
        guard (1...3650).contains(days) else {
            throw DomainError.invalidField(field: "expiring_within_days", reason: "RANGE", message: "expiring_within_days must be 0…3650")
        }
        let page = try await readiness.report(try context.localOperator(), page: PageRequest(request.page))
        let horizon = clock.now().addingTimeInterval(Double(days) * 86400)
        var response = Life_V1_ListCertificateReadinessResponse()
        response.facilities = page.items.map { Life_V1_FacilityReadiness($0, expiringBefore: horizon) }
        response.page = Life_V1_PageResponse(page)
        return response
    }

    public func getOperatingMode(_ request: Life_V1_GetOperatingModeRequest, context: ServerCallContext) async throws
        -> Life_V1_GetOperatingModeResponse
    {
        var response = Life_V1_GetOperatingModeResponse()
        response.state = Life_V1_OperatingModeState(try await operatingMode.read(try context.localOperator()))
        return response
    }

    public func setOperatingMode(_ request: Life_V1_SetOperatingModeRequest, context: ServerCallContext) async throws
        -> Life_V1_SetOperatingModeResponse
    {
        guard let mode = OperatingMode(rawValue: request.mode.rawValue) else {
            throw DomainError.invalidField(field: "mode", reason: "REQUIRED", message: "mode must be NORMAL, MIGRATION_FREEZE or READ_ONLY")
        }
        var response = Life_V1_SetOperatingModeResponse()
        response.state = Life_V1_OperatingModeState(
            try await operatingMode.set(try context.localOperator(), mode: mode, reason: request.reason))
        return response
    }

    // MARK: Database

    public func backupDatabase(
        _ request: Life_V1_BackupDatabaseRequest,
        context: ServerCallContext,
        responses: ResponseStreamWriter<Life_V1_BackupDatabaseResponse>
    ) async throws {
        let principal = try context.localOperator()
        let target = try backups.resolve(request.path, now: clock.now())
        let (progress, continuation) = AsyncStream.makeStream(of: Double.self, bufferingPolicy: .bufferingNewest(1))
        async let copied: Void = {
            defer { continuation.finish() }
            try await admin.backup(principal, to: target) { continuation.yield($0) }
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
        // Reading and hashing the copy (hundreds of MiB) is file work: off the event loops, on the
        // global executor.
        let (size, digest) = try await withTaskExecutorPreference(globalConcurrentExecutor) {
            let data = try Data(contentsOf: URL(fileURLWithPath: target), options: .mappedIfSafe)
            return (UInt64(data.count), SHA256.hash(data: data).lowerHex)
        }
        done.sizeBytes = size
        done.sha256 = digest
        try await responses.write(done)
    }

    public func checkDatabaseIntegrity(_ request: Life_V1_CheckDatabaseIntegrityRequest, context: ServerCallContext) async throws
        -> Life_V1_CheckDatabaseIntegrityResponse
    {
        let start = ContinuousClock.now
        let problems = try await admin.integrityCheck(try context.localOperator())
        var response = Life_V1_CheckDatabaseIntegrityResponse()
        response.ok = problems.isEmpty
        response.problems = problems
        response.durationMs = UInt64(max(0, start.duration(to: .now).seconds * 1000))
        return response
    }

    // MARK: Audit

    public func listAuditEvents(_ request: Life_V1_ListAuditEventsRequest, context: ServerCallContext) async throws
        -> Life_V1_ListAuditEventsResponse
    {
        let filter = AuditFilter(
            facility: request.facilityNumber.isEmpty ? nil : request.facilityNumber,
            loginID: request.loginID.isEmpty ? nil : request.loginID,
            method: request.method.isEmpty ? nil : request.method,
            afterSequence: max(0, request.afterSequence))
        let page = try await admin.listAuditRecords(try context.localOperator(), filter: filter, page: PageRequest(request.page))
        var response = Life_V1_ListAuditEventsResponse()
        response.events = page.items.map(Life_V1_AuditEvent.init)
        response.page.nextPageToken = page.nextPageToken
        return response
    }

    public func verifyAuditChain(_ request: Life_V1_VerifyAuditChainRequest, context: ServerCallContext) async throws
        -> Life_V1_VerifyAuditChainResponse
    {
        var response = Life_V1_VerifyAuditChainResponse()
        let (verification, anchored) = try await admin.verifyAuditChain(try context.localOperator())
        response.headAnchored = anchored
        switch verification {
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

    // MARK: Registry

    public func createParticipatingInsurer(_ request: Life_V1_CreateParticipatingInsurerRequest, context: ServerCallContext) async throws
        -> Life_V1_CreateParticipatingInsurerResponse
    {
        let insurer = try InsurerNumber(request.insurer.insurerNumber, field: "insurer.insurer_number")
        let (joined, job) = try await registry.join(
            try context.localOperator(), insurer: insurer, name: request.insurer.name,
            joinedOn: try request.insurer.joinedOn.calendarDate(field: "insurer.joined_on"))
        var response = Life_V1_CreateParticipatingInsurerResponse()
        response.insurer = Life_V1_ParticipatingInsurer(joined)
        response.job = Life_V1_VerificationJob(job)
        return response
    }

    public func leaveParticipatingInsurer(_ request: Life_V1_LeaveParticipatingInsurerRequest, context: ServerCallContext) async throws
        -> Life_V1_LeaveParticipatingInsurerResponse
    {
        let insurer = try InsurerNumber(request.insurerNumber, field: "insurer_number")
        let (left, job) = try await registry.leave(
            try context.localOperator(), insurer: insurer, leftOn: try request.leftOn.calendarDate(field: "left_on"))
        var response = Life_V1_LeaveParticipatingInsurerResponse()
        response.insurer = Life_V1_ParticipatingInsurer(left)
        response.job = Life_V1_VerificationJob(job)
        return response
    }

    public func listParticipatingInsurers(_ request: Life_V1_ListParticipatingInsurersRequest, context: ServerCallContext) async throws
        -> Life_V1_ListParticipatingInsurersResponse
    {
        let page = try await registry.insurers(try context.localOperator(), page: PageRequest(request.page))
        var response = Life_V1_ListParticipatingInsurersResponse()
        response.insurers = page.items.map(Life_V1_ParticipatingInsurer.init)
        response.page = Life_V1_PageResponse(page)
        return response
    }

    /// Reads the file off the event loops, sending progress at most every chunk.
    public func importQualificationRecords(
        _ request: Life_V1_ImportQualificationRecordsRequest,
        context: ServerCallContext,
        responses: ResponseStreamWriter<Life_V1_ImportQualificationRecordsResponse>
    ) async throws {
        let principal = try context.localOperator()
        guard request.format == .csv else {
            throw DomainError.invalidField(field: "format", reason: "REQUIRED", message: "format must be QUALIFICATION_FILE_FORMAT_CSV")
        }
        guard request.path.hasPrefix("/") else {
            throw DomainError.invalidField(field: "path", reason: "FORMAT", message: "path must be absolute (the daemon reads it)")
        }
        let options = QualificationImportRequest(path: request.path, validateOnly: request.validateOnly, skipInvalid: request.skipInvalid)
        let (progress, continuation) = AsyncStream.makeStream(of: QualificationImportProgress.self, bufferingPolicy: .bufferingNewest(1))
        async let imported = withTaskExecutorPreference(globalConcurrentExecutor) {
            defer { continuation.finish() }
            return try await registry.importRecords(principal, options) { continuation.yield($0) }
        }
        for await update in progress {
            try await responses.write(Life_V1_ImportQualificationRecordsResponse(update))
        }
        let report = try await imported
        var done = Life_V1_ImportQualificationRecordsResponse(report.progress)
        done.done = true
        done.importedCount = report.importedCount
        done.insurerNumbers = report.changedInsurers.map(\.rawValue)
        done.unchangedInsurerNumbers = report.unchangedInsurers.map(\.rawValue)
        done.invalidRows = report.errors.map { error in
            var row = Life_V1_QualificationRowError()
            row.line = error.line
            row.column = error.column
            row.reason = error.reason
            return row
        }
        if let job = report.job { done.job = Life_V1_VerificationJob(job) }
        try await responses.write(done)
    }

    /// Reads the file off the event loops, sending progress after each chunk.
    public func importLegacyExport(
        _ request: Life_V1_ImportLegacyExportRequest,
        context: ServerCallContext,
        responses: ResponseStreamWriter<Life_V1_ImportLegacyExportResponse>
    ) async throws {
        let principal = try context.localOperator()
        guard request.path.hasPrefix("/") else {
            throw DomainError.invalidField(field: "path", reason: "FORMAT", message: "path must be absolute (the daemon reads it)")
        }
        let options = LegacyImportRequest(path: request.path, dryRun: request.dryRun)
        let (progress, continuation) = AsyncStream.makeStream(of: LegacyImportProgress.self, bufferingPolicy: .bufferingNewest(1))
        async let imported = withTaskExecutorPreference(globalConcurrentExecutor) {
            defer { continuation.finish() }
            return try await migration.importExport(principal, options) { continuation.yield($0) }
        }
        for await update in progress {
            var message = Life_V1_ImportLegacyExportResponse(update)
            message.dryRun = request.dryRun
            try await responses.write(message)
        }
        let report = try await imported
        var done = Life_V1_ImportLegacyExportResponse(report.progress)
        done.dryRun = report.dryRun
        done.done = true
        done.rows = report.rows.map { row in
            var proto = Life_V1_LegacyRowReport()
            proto.line = row.line
            proto.column = row.column
            proto.reason = row.reason
            proto.outcome = Life_V1_LegacyRowOutcome(rawValue: row.outcome.rawValue) ?? .unspecified
            return proto
        }
        try await responses.write(done)
    }

    public func getRegistryStatus(_ request: Life_V1_GetRegistryStatusRequest, context: ServerCallContext) async throws
        -> Life_V1_GetRegistryStatusResponse
    {
        let (counts, jobs) = try await registry.status(try context.localOperator())
        var response = Life_V1_GetRegistryStatusResponse()
        response.participatingInsurerCount = Int64(counts.participatingInsurers)
        response.leftInsurerCount = Int64(counts.leftInsurers)
        response.qualificationRecordCount = counts.records
        response.insurerWithRecordsCount = Int64(counts.insurersWithRecords)
        response.registryRevision = counts.revision
        if let last = counts.lastImportAt { response.lastImportAt = Life_V1_Timestamp(last) }
        response.activeJobs = jobs.map(Life_V1_VerificationJob.init)
        return response
    }

    public func listVerificationJobs(_ request: Life_V1_ListVerificationJobsRequest, context: ServerCallContext) async throws
        -> Life_V1_ListVerificationJobsResponse
    {
        let facility = request.facilityNumber.isEmpty ? nil : try facilityNumber(request.facilityNumber, field: "facility_number")
        let page = try await registry.jobs(try context.localOperator(), facility: facility, page: PageRequest(request.page))
        var response = Life_V1_ListVerificationJobsResponse()
        response.jobs = page.items.map(Life_V1_VerificationJob.init)
        response.page = Life_V1_PageResponse(page)
        return response
    }

    // MARK: -

    private static func normalized(fingerprint: String) -> String {
        fingerprint.lowercased().replacingOccurrences(of: ":", with: "")
    }

    private func facilityNumber(_ text: String, field: String) throws -> FacilityNumber {
        do {
            return try FacilityNumber(text, checkDigit: settings.checkFacilityNumberDigit)
        } catch .invalidField(_, let reason, let message) {
            throw DomainError.invalidField(field: field, reason: reason, message: message)
        }
    }
}
