import LifeApp
import LifeCore
import LifeProto

extension Life_V1_Recipient {
    /// The record as the wire shows it.
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
            verificationStatuses: VerificationStatus.set(verificationStatuses)
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
