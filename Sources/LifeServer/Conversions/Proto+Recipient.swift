import LifeApp
import LifeCore
import LifeProto

extension Life_V1_Recipient {
    /// The record as the wire shows it, valid or needing correction.
    init(_ record: RecipientRecord) {
        switch record {
        case .valid(let recipient): self.init(recipient)
        case .needsCorrection(let flagged): self.init(flagged)
        }
    }

    /// A record that needs correction: its values as imported, and why.
    init(_ flagged: FlaggedRecipient) {
        self.init()
        let d = flagged.draft
        id = flagged.id
        facilityNumber = flagged.facility.rawValue
        insurerNumber = d.insurerNumber
        insuredNumber = d.insuredNumber
        fullName = d.fullName
        fullNameKana = d.fullNameKana
        sex = Life_V1_Sex(rawValue: d.sex) ?? .unspecified
        if let date = Life_V1_Date(d.birthDate) { birthDate = date }
        if let date = Life_V1_Date(d.certificationDate) { certificationDate = date }
        if let date = Life_V1_Date(d.certificationValidFrom) { certificationValidFrom = date }
        if let date = Life_V1_Date(d.certificationValidUntil) { certificationValidUntil = date }
        careLevel = Life_V1_CareLevel(rawValue: d.careLevel) ?? .unspecified
        serviceTypeCode = d.serviceTypeCode
        physicalIndependence = Life_V1_PhysicalIndependence(rawValue: d.physicalIndependence) ?? .unspecified
        dementiaIndependence = Life_V1_DementiaIndependence(rawValue: d.dementiaIndependence) ?? .unspecified
        version = flagged.version
        createdAt = Life_V1_Timestamp(flagged.createdAt)
        updatedAt = Life_V1_Timestamp(flagged.updatedAt)
        updatedBy = flagged.updatedBy
        needsCorrection = true
        corrections = flagged.violations.map { violation in
            var proto = Life_V1_FieldViolation()
            proto.field = violation.field
            proto.reason = violation.reason
            proto.description_p = violation.message
            return proto
        }
        legacyID = flagged.legacyID
    }

    /// A record whose fields are valid.
    init(_ recipient: Recipient) {
        self.init()
        let f = recipient.fields
        id = recipient.id
        facilityNumber = recipient.facility.rawValue
        insurerNumber = f.insurerNumber.rawValue
        insuredNumber = f.insuredNumber.rawValue
        fullName = f.fullName
        fullNameKana = f.fullNameKana
        sex = Life_V1_Sex(rawValue: f.sex.rawValue) ?? .unspecified
        birthDate = Life_V1_Date(f.birthDate)
        if let date = f.certificationDate { certificationDate = Life_V1_Date(date) }
        if let date = f.certificationValidFrom { certificationValidFrom = Life_V1_Date(date) }
        if let date = f.certificationValidUntil { certificationValidUntil = Life_V1_Date(date) }
        careLevel = Life_V1_CareLevel(rawValue: f.careLevel.rawValue) ?? .unspecified
        serviceTypeCode = f.serviceTypeCode
        physicalIndependence = Life_V1_PhysicalIndependence(rawValue: f.physicalIndependence.rawValue) ?? .unspecified
        dementiaIndependence = Life_V1_DementiaIndependence(rawValue: f.dementiaIndependence.rawValue) ?? .unspecified
        version = recipient.version
        createdAt = Life_V1_Timestamp(recipient.createdAt)
        updatedAt = Life_V1_Timestamp(recipient.updatedAt)
        updatedBy = recipient.updatedBy
        verification = Life_V1_VerificationResult(recipient.verification)
        legacyID = recipient.legacyID ?? ""
    }

    /// The editable fields as sent, unchecked; output-only fields are ignored.
    var draft: RecipientDraft {
        var draft = RecipientDraft()
        draft.insurerNumber = insurerNumber
        draft.insuredNumber = insuredNumber
        draft.fullName = fullName
        draft.fullNameKana = fullNameKana
        draft.sex = sex.rawValue
        draft.birthDate = birthDate.raw
        draft.certificationDate = certificationDate.raw
        draft.certificationValidFrom = certificationValidFrom.raw
        draft.certificationValidUntil = certificationValidUntil.raw
        draft.careLevel = careLevel.rawValue
        draft.serviceTypeCode = serviceTypeCode
        draft.physicalIndependence = physicalIndependence.rawValue
        draft.dementiaIndependence = dementiaIndependence.rawValue
        return draft
    }
}

extension Life_V1_Date {
    init(_ date: CalendarDate) {
        self.init()
        year = Int32(date.year)
        month = Int32(date.month)
        day = Int32(date.day)
    }

    /// A date as imported; nil for "no date". A value that was not a date at all (year -1) is
    /// sent as it is stored, so the field shows it is wrong.
    init?(_ raw: RecipientDraft.RawDate) {
        guard raw != RecipientDraft.RawDate(year: 0, month: 0, day: 0) else { return nil }
        self.init()
        year = Int32(clamping: raw.year)
        month = Int32(clamping: raw.month)
        day = Int32(clamping: raw.day)
    }

    var raw: RecipientDraft.RawDate { .init(year: Int(year), month: Int(month), day: Int(day)) }
}

extension Life_V1_ListRecipientsRequest {
    /// The filter as the domain reads it; an empty field filters nothing.
    var filter: RecipientFilter {
        RecipientFilter(
            insurerNumber: insurerNumber.isEmpty ? nil : insurerNumber,
            insuredNumber: insuredNumber.isEmpty ? nil : insuredNumber,
            kanaPrefix: fullNameKanaPrefix.isEmpty ? nil : PersonName.kanaPrefix(fullNameKanaPrefix),
            careLevels: Set(careLevels.compactMap { CareLevel(rawValue: $0.rawValue) }),
            serviceTypeCode: serviceTypeCode.isEmpty ? nil : serviceTypeCode,
            verificationStatuses: VerificationStatus.set(verificationStatuses),
            correction: RecipientFilter.CorrectionFilter(rawValue: correction.rawValue) ?? .any
        )
    }
}

extension Life_V1_WatchRecipientsResponse {
    /// A change as sent to watchers: the record now, or only its id and version once deleted.
    init(_ event: RecipientChangeEvent) {
        self.init()
        sequence = event.change.sequence
        kind = Life_V1_RecipientChangeKind(rawValue: event.change.kind.rawValue) ?? .unspecified
        if let recipient = event.recipient, event.change.kind != .deleted {
            self.recipient = Life_V1_Recipient(recipient)
        } else {
            recipient.id = event.change.recipientID
            recipient.version = event.change.version
        }
        changedAt = Life_V1_Timestamp(event.change.time)
        changedBy = event.change.changedBy
    }
}
