/// What ListRecipients selects; fields combine with AND, nil or empty selects everything.
public struct RecipientFilter: Sendable, Hashable {
    public var insurerNumber: String?
    public var insuredNumber: String?
    /// Normalised as kana names are (`PersonName.kanaPrefix`).
    public var kanaPrefix: String?
    public var careLevels: Set<CareLevel>
    public var serviceTypeCode: String?
    /// Results of the latest eligibility check; `unverified` selects recipients never checked.
    public var verificationStatuses: Set<VerificationStatus>
    /// Records needing correction, valid ones, or both.
    public var correction: CorrectionFilter

    /// Which records a list selects by their correction state.
    public enum CorrectionFilter: Int, Sendable, Hashable {
        case any = 0
        case needsCorrection = 1
        case valid = 2
    }

    public init(
        insurerNumber: String? = nil, insuredNumber: String? = nil, kanaPrefix: String? = nil, careLevels: Set<CareLevel> = [],
        serviceTypeCode: String? = nil, verificationStatuses: Set<VerificationStatus> = [], correction: CorrectionFilter = .any
    ) {
        self.correction = correction
        self.insurerNumber = insurerNumber
        self.insuredNumber = insuredNumber
        self.kanaPrefix = kanaPrefix
        self.careLevels = careLevels
        self.serviceTypeCode = serviceTypeCode
        self.verificationStatuses = verificationStatuses
    }

    /// Whether flagged records can match: not when only valid ones are asked for, nor when
    /// eligibility results are (a flagged record is never checked).
    public var includesFlagged: Bool { correction != .valid && verificationStatuses.isEmpty }
    /// Whether valid records can match.
    public var includesValid: Bool { correction != .needsCorrection }

    /// A stable text naming the filter, to bind page tokens to it.
    public var canonicalDescription: String {
        [
            "i=\(insurerNumber ?? "")", "n=\(insuredNumber ?? "")", "k=\(kanaPrefix ?? "")",
            "c=\(careLevels.map(\.rawValue).sorted().map(String.init).joined(separator: ","))", "s=\(serviceTypeCode ?? "")",
            "v=\(verificationStatuses.map(\.rawValue).sorted().map(String.init).joined(separator: ","))", "x=\(correction.rawValue)",
        ].joined(separator: "\u{1F}")
    }
}

/// Where a keyset page ends: the last record's kana and id.
public struct RecipientCursor: Sendable, Hashable {
    public var kana: String
    public var id: String

    public init(kana: String, id: String) {
        self.kana = kana
        self.id = id
    }
}
