import SwiftASN1
import X509

/// A verifier policy that rejects a chain if any certificate in it (the root excepted) is listed
/// in a CRL of its issuer. The CRLs must have been checked against their issuers' signatures
/// when loaded; an issuer without a CRL passes (no CRL configured means no revocation check).
public struct RevocationPolicy: VerifierPolicy {
    public let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = []
    private let crls: [CertificateRevocationList]

    public init(crls: [CertificateRevocationList]) {
        self.crls = crls
    }

    public mutating func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) async -> PolicyEvaluationResult {
        for index in chain.indices.dropLast() {
            let certificate = chain[index]
            for crl in crls where crl.issuer == certificate.issuer && crl.isRevoked(certificate.serialNumber) {
                let subject = String(describing: certificate.subject)
                let serial = String(describing: certificate.serialNumber)
                return .failsToMeetPolicy(reason: "certificate \(subject) (serial \(serial)) is revoked")
            }
        }
        return .meetsPolicy
    }
}
