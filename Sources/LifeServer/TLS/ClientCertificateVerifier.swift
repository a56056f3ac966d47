import LifePKI
import NIOSSL
import X509

/// Validates a client's certificate chain for the TLS handshake: a path to one of the configured
/// CAs (RFC 5280: signatures, validity period, CA constraints) and no certificate of the path
/// revoked by a configured CRL. swift-nio-ssl checks no CRL itself, so the server replaces its
/// verification with this one.
struct ClientCertificateVerifier: Sendable {
    let roots: [Certificate]
    let crls: [CertificateRevocationList]

    /// The outcome, with a reason fit for the log when it fails.
    enum Outcome: Sendable {
        case valid
        case invalid(String)
    }

    func verify(_ presented: [NIOSSLCertificate]) async -> Outcome {
        let chain: [Certificate]
        do {
            chain = try presented.map { try Certificate(derEncoded: $0.toDERBytes()) }
        } catch {
            return .invalid("client certificate does not parse: \(error)")
        }
        guard let leaf = chain.first else { return .invalid("no client certificate") }
        var verifier = Verifier(rootCertificates: CertificateStore(roots)) {
            RFC5280Policy()
            RevocationPolicy(crls: crls)
        }
        switch await verifier.validate(leaf: leaf, intermediates: CertificateStore(chain.dropFirst())) {
        case .validCertificate:
            return .valid
        case .couldNotValidate(let failures):
            if failures.isEmpty {
                return .invalid("no path from \(leaf.subject) to a trusted CA (unknown issuer \(leaf.issuer))")
            }
            let reasons = Set(failures.map { String(describing: $0.policyFailureReason) }).sorted()
            return .invalid(reasons.joined(separator: "; "))
        }
    }

    /// Whether a CRL of this material revokes `certificateDER` (a connection admitted under older
    /// material is checked again after a reload).
    func isRevoked(certificateDER: [UInt8]) -> Bool {
        guard let certificate = try? Certificate(derEncoded: certificateDER) else { return false }
        return crls.contains { $0.issuer == certificate.issuer && $0.isRevoked(certificate.serialNumber) }
    }
}
