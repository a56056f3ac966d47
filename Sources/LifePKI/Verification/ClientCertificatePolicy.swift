import SwiftASN1
import X509

/// A verifier policy for TLS client certificates: the leaf must carry the id-kp-clientAuth
/// extended key usage and, when it has a keyUsage, digitalSignature (the client signs the
/// handshake); each issuer of the path with a keyUsage must allow keyCertSign. Without it a
/// server or e-mail certificate of a bundle CA would log in as the facility its subject names
/// (issue 13 item 5). RFC5280Policy lists keyUsage as handled but does not check it.
public struct ClientCertificatePolicy: VerifierPolicy {
    public let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = [.X509ExtensionID.extendedKeyUsage]

    public init() {}

    public func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) -> PolicyEvaluationResult {
        let leaf = chain.leaf
        do {
            guard let usages = try leaf.extensions.extendedKeyUsage, usages.contains(.clientAuth) else {
                return .failsToMeetPolicy(reason: "the client certificate lacks the clientAuth extended key usage")
            }
            if let keyUsage = try leaf.extensions.keyUsage, !keyUsage.digitalSignature {
                return .failsToMeetPolicy(reason: "the client certificate's key usage does not allow digitalSignature")
            }
            for issuer in chain.dropFirst() {
                if let keyUsage = try issuer.extensions.keyUsage, !keyUsage.keyCertSign {
                    let subject = DistinguishedNameText.logSafe(issuer.subject)
                    return .failsToMeetPolicy(reason: "issuer \(subject) has a key usage without keyCertSign")
                }
            }
        } catch {
            return .failsToMeetPolicy(reason: "a certificate of the path has a malformed key usage extension")
        }
        return .meetsPolicy
    }
}
