import Foundation
import SwiftASN1
import X509

/// A verifier policy that rejects a chain if any certificate in it (the root excepted) is listed
/// in a CRL of its issuer, or if that CRL is not current (`CRLFreshness`). The CRLs must have
/// been accepted against their issuers when loaded (`acceptanceProblem(among:)`); an issuer
/// without a CRL passes (no CRL configured for a CA means no revocation check for it).
public struct RevocationPolicy: VerifierPolicy {
    public let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = []
    private let crls: [CertificateRevocationList]
    private let freshness: CRLFreshness
    private let now: Date

    /// `now` is the moment the handshake is judged at.
    public init(crls: [CertificateRevocationList], freshness: CRLFreshness = CRLFreshness(), now: Date = .now) {
        self.crls = crls
        self.freshness = freshness
        self.now = now
    }

    public func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) -> PolicyEvaluationResult {
        for index in chain.indices.dropLast() {
            if let reason = refusal(of: chain[index]) { return .failsToMeetPolicy(reason: reason) }
        }
        return .meetsPolicy
    }

    /// Why `certificate` is refused by the CRLs of its issuer, or nil.
    public func refusal(of certificate: Certificate) -> String? {
        for crl in crls where crl.issuer == certificate.issuer {
            if let stale = freshness.refusal(of: crl, at: now) {
                return
                    "the CRL of \(DistinguishedNameText.logSafe(crl.issuer)) \(stale); its certificates are refused until a current CRL is loaded"
            }
            if crl.isRevoked(certificate.serialNumber) {
                let subject = DistinguishedNameText.logSafe(certificate.subject)
                return "certificate \(subject) (serial \(certificate.serialNumber)) is revoked"
            }
        }
        return nil
    }
}
