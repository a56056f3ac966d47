import Foundation
import X509

/// Validates the certificates a TLS client presented with work bounded whatever it sent: the
/// shape checks of `PresentedChain`, then swift-certificates' path search over a store that
/// answers at most `maxIssuerLookups` lookups (`IssuerLookupBudget`), under RFC 5280, the
/// client-certificate rules (`ClientCertificatePolicy`) and revocation (`RevocationPolicy`).
///
/// The bound makes one handshake's verification cost a few signature checks — the order of the
/// handshake's own cryptography — so it can run on the shared executor without starving
/// anything; a cancelled task (the handshake timed out, the peer left) stops at the next lookup.
public struct ClientChainVerifier: Sendable {
    /// Issuer lookups one verification may make. A valid path needs one per certificate above
    /// the leaf (at most `PresentedChain.maxIntermediates + 1`); the rest is margin for a
    /// root store holding several CAs of one name.
    public static let maxIssuerLookups = 2 * (PresentedChain.maxIntermediates + 1)

    /// Trust anchors (the client CA bundle).
    public let roots: [Certificate]
    /// Accepted CRLs of those anchors.
    public let crls: [CertificateRevocationList]
    public let freshness: CRLFreshness

    public init(roots: [Certificate], crls: [CertificateRevocationList], freshness: CRLFreshness = CRLFreshness()) {
        self.roots = roots
        self.crls = crls
        self.freshness = freshness
    }

    public enum Outcome: Sendable {
        /// The validated path, leaf first, trust anchor last.
        case valid([Certificate])
        /// Why the client is refused, fit for the log (attacker-chosen text escaped).
        case invalid(String)
    }

    /// The outcome and what the search cost.
    public struct Report: Sendable {
        public let outcome: Outcome
        /// Issuer lookups answered (0 when the chain was refused before any search).
        public let issuerLookups: Int
        /// Whether the search was cut short by the budget or by cancellation.
        public let stoppedEarly: Bool
    }

    /// Judges `presented` (DER, in the order the client sent them) at `now`.
    public func verify(derEncoded presented: [[UInt8]], at now: Date = .now) async -> Report {
        let chain: PresentedChain
        do {
            chain = try PresentedChain(derEncoded: presented)
        } catch {
            return Report(outcome: .invalid(error.description), issuerLookups: 0, stoppedEarly: false)
        }
        let intermediates = IssuerLookupBudget(chain.intermediates, limit: Self.maxIssuerLookups)
        var verifier = Verifier(rootCertificates: CertificateStore(roots)) {
            RFC5280Policy()
            ClientCertificatePolicy()
            RevocationPolicy(crls: crls, freshness: freshness, now: now)
        }
        let result = await verifier.validate(leaf: chain.leaf, intermediates: CertificateStore(custom: intermediates))
        let outcome: Outcome
        switch result {
        case .validCertificate(let validated):
            outcome = .valid(Array(validated))
        case .couldNotValidate(let failures) where failures.isEmpty:
            let subject = DistinguishedNameText.logSafe(chain.leaf.subject)
            let issuer = DistinguishedNameText.logSafe(chain.leaf.issuer)
            let cut = intermediates.exhausted ? " (search stopped after \(intermediates.lookups) issuer lookups)" : ""
            outcome = .invalid("no path from \(subject) to a trusted CA (unknown issuer \(issuer))\(cut)")
        case .couldNotValidate(let failures):
            let reasons = Set(failures.map { String(describing: $0.policyFailureReason) }).sorted()
            // Reasons from swift-certificates may quote a certificate's own text.
            outcome = .invalid(DistinguishedNameText.logSafe(reasons.joined(separator: "; "), limit: 1024))
        }
        return Report(outcome: outcome, issuerLookups: intermediates.lookups, stoppedEarly: intermediates.exhausted)
    }
}
