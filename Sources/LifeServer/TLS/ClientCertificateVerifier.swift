import Foundation
import LifePKI
import NIOSSL
import X509

/// Validates a client's certificate chain for the TLS handshake with bounded work
/// (`ClientChainVerifier`: a path to one of the configured CAs under RFC 5280, the clientAuth
/// rules, current CRLs), and answers the questions asked of an admitted peer later: is it
/// revoked now, may its CA name the facility. swift-nio-ssl checks no CRL itself, so the server
/// replaces its verification with this one.
struct ClientCertificateVerifier: Sendable {
    let chain: ClientChainVerifier
    /// The CAs whose certificates may name the facility in the subject attribute.
    let facilityAttributeAnchors: [Certificate]

    /// The outcome, with a reason fit for the log when it fails.
    enum Outcome: Sendable {
        /// The validated path as swift-nio-ssl keeps it, leaf first, trust anchor last.
        case valid(NIOSSL.ValidatedCertificateChain)
        case invalid(String)
    }

    func verify(_ presented: [NIOSSLCertificate]) async -> Outcome {
        let ders: [[UInt8]]
        do {
            ders = try presented.map { try $0.toDERBytes() }
        } catch {
            return .invalid("client certificate cannot be read: \(error)")
        }
        switch await chain.verify(derEncoded: ders).outcome {
        case .invalid(let reason):
            return .invalid(reason)
        case .valid(let path):
            do {
                let validated = try path.map { try NIOSSLCertificate(bytes: CertificateFacts($0).derEncoded, format: .der) }
                return .valid(NIOSSL.ValidatedCertificateChain(validated))
            } catch {
                return .invalid("validated path cannot be encoded: \(error)")
            }
        }
    }

    /// Why a CRL of this material refuses `certificate` now — revoked, or its CA's CRL not
    /// current — or nil. A peer admitted under older material is judged again with this.
    func refusal(of certificate: Certificate, at now: Date = .now) -> String? {
        RevocationPolicy(crls: chain.crls, freshness: chain.freshness, now: now).refusal(of: certificate)
    }

    /// Why a certificate path validated earlier (leaf first, anchor last) is no longer accepted.
    enum Withdrawal: Sendable, Hashable {
        /// A CRL of this material lists a certificate of the path.
        case revoked
        /// The CRL of a CA of the path is not current at that time (and freshness is enforced).
        case crlNotCurrent
    }

    /// Why this material no longer accepts a validated path at `now` — `path` is the leaf and the
    /// CA certificates up to the trust anchor, the anchor left out (the sweeps after a reload and
    /// while a CRL is not current) — or nil. What cannot be read is left alone: it was validated.
    func withdrawal(of path: [[UInt8]], at now: Date) -> Withdrawal? {
        let certificates = path.compactMap { try? Certificate(derEncoded: $0) }
        if certificates.contains(where: { certificate in
            chain.crls.contains { $0.issuer == certificate.issuer && $0.isRevoked(certificate.serialNumber) }
        }) {
            return .revoked
        }
        return certificates.contains { refusal(of: $0, at: now) != nil } ? .crlNotCurrent : nil
    }

    /// Whether some CA's certificates are refused at `now` because its CRL is not current.
    func refusesSomeCA(at now: Date) -> Bool {
        chain.crls.contains { chain.freshness.refusal(of: $0, at: now) != nil }
    }

    /// Whether a path anchored at `anchor` may name the facility in the subject attribute.
    func trustsFacilityAttribute(anchoredAt anchor: Certificate) -> Bool {
        facilityAttributeAnchors.contains(anchor)
    }
}
