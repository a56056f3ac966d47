import Foundation

/// A care recipient (利用者) of one facility, as stored: validated fields plus what the server
/// keeps about the record.
public struct Recipient: Sendable, Hashable {
    /// Server-assigned, opaque, stable for the record's life.
    public var id: String
    public var facility: FacilityNumber
    public var fields: RecipientFields
    /// 1 on create, one more on each update.
    public var version: Int64
    public var createdAt: Date
    public var updatedAt: Date
    /// Login id of the staff member who made the last change.
    public var updatedBy: String
    /// The latest eligibility check; a check does not change `version`.
    public var verification: VerificationResult
    /// The record's id in the old system, for a record imported from it.
    public var legacyID: String?

    public init(
        id: String, facility: FacilityNumber, fields: RecipientFields, version: Int64, createdAt: Date, updatedAt: Date, updatedBy: String,
        verification: VerificationResult = .unverified, legacyID: String? = nil
    ) {
        self.legacyID = legacyID
        self.id = id
        self.facility = facility
        self.fields = fields
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.updatedBy = updatedBy
        self.verification = verification
    }
}

/// The fields a terminal edits, each valid on its own and together (`RecipientDraft.validated`).
public struct RecipientFields: Sendable, Hashable {
    public var insurerNumber: InsurerNumber
    public var insuredNumber: InsuredNumber
    public var fullName: String
    public var fullNameKana: String
    public var sex: Sex
    public var birthDate: CalendarDate
    public var certificationDate: CalendarDate?
    public var certificationValidFrom: CalendarDate?
    public var certificationValidUntil: CalendarDate?
    public var careLevel: CareLevel
    public var serviceTypeCode: String
    public var physicalIndependence: PhysicalIndependence
    public var dementiaIndependence: DementiaIndependence

    public init(
        insurerNumber: InsurerNumber,
        insuredNumber: InsuredNumber,
        fullName: String,
        fullNameKana: String,
        sex: Sex,
        birthDate: CalendarDate,
        certificationDate: CalendarDate?,
        certificationValidFrom: CalendarDate?,
        certificationValidUntil: CalendarDate?,
        careLevel: CareLevel,
        serviceTypeCode: String,
        physicalIndependence: PhysicalIndependence,
        dementiaIndependence: DementiaIndependence
    ) {
        self.insurerNumber = insurerNumber
        self.insuredNumber = insuredNumber
        self.fullName = fullName
        self.fullNameKana = fullNameKana
        self.sex = sex
        self.birthDate = birthDate
        self.certificationDate = certificationDate
        self.certificationValidFrom = certificationValidFrom
        self.certificationValidUntil = certificationValidUntil
        self.careLevel = careLevel
        self.serviceTypeCode = serviceTypeCode
        self.physicalIndependence = physicalIndependence
        self.dementiaIndependence = dementiaIndependence
    }
}
