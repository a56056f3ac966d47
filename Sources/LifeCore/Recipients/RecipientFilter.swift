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

    public init(
        insurerNumber: String? = nil, insuredNumber: String? = nil, kanaPrefix: String? = nil, careLevels: Set<CareLevel> = [],
        serviceTypeCode: String? = nil, verificationStatuses: Set<VerificationStatus> = []
    ) {
        self.insurerNumber = insurerNumber
        self.insuredNumber = insuredNumber
        self.kanaPrefix = kanaPrefix
        self.careLevels = careLevels
        self.serviceTypeCode = serviceTypeCode
        self.verificationStatuses = verificationStatuses
    }

    /// A stable text naming the filter, to bind page tokens to it.
    public var canonicalDescription: String {
        [
            "i=\(insurerNumber ?? "")", "n=\(insuredNumber ?? "")", "k=\(kanaPrefix ?? "")",
            "c=\(careLevels.map(\.rawValue).sorted().map(String.init).joined(separator: ","))", "s=\(serviceTypeCode ?? "")",
            "v=\(verificationStatuses.map(\.rawValue).sorted().map(String.init).joined(separator: ","))",
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
