import LifeCore
import LifePKI
import LifeWire

/// The facility a client certificate's subject names: the configured attribute
/// (`auth.facility_subject_attribute`), read only when the certificate's CA may name facilities
/// (`tls.facility_attribute_ca`) and exactly one valid number is there.
public struct FacilityAttribute: Sendable {
    private let settings: AuthSettings

    public init(settings: AuthSettings) {
        self.settings = settings
    }

    public func facility(of peer: TLSPeer) -> FacilityNumber? {
        guard peer.facilityAttributeTrusted, let attribute = settings.facilitySubjectAttribute,
            let facts = try? CertificateFacts(derEncoded: peer.certificateDER),
            let oid = try? CertificateFacts.objectIdentifier(attribute),
            case let values = facts.subjectAttributes(oid), values.count == 1
        else { return nil }
        return try? FacilityNumber(values[0], checkDigit: settings.checkFacilityNumberDigit)
    }
}
