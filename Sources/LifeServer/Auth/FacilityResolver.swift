import LifeCore
import LifePKI
import LifeWire

/// Which facility a client certificate proves: a registered fingerprint first (for CAs whose
/// subject carries no facility number), else the configured subject attribute (so the yearly
/// renewal of a certificate needs no registration). Never a facility number the client sends.
struct FacilityResolver: Sendable {
    let storage: any LifeStorage
    let subjectAttribute: String?
    let checkDigit: Bool

    func facility(for peer: TLSPeer) async throws -> Facility? {
        if let registration = try await storage.activeCertificateRegistration(fingerprint: peer.fingerprint) {
            return try await storage.facility(registration.facility)
        }
        guard let subjectAttribute,
            let facts = try? CertificateFacts(derEncoded: peer.certificateDER),
            let oid = try? CertificateFacts.objectIdentifier(subjectAttribute),
            case let values = facts.subjectAttributes(oid), values.count == 1,
            let number = try? FacilityNumber(values[0], checkDigit: checkDigit)
        else { return nil }
        return try await storage.facility(number)
    }
}
