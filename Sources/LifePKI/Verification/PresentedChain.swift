import X509

/// The certificates a TLS client presented, reduced to what chain building may look at.
///
/// Whatever a client sends is attacker-chosen. swift-certificates' `Verifier` searches every
/// path through the intermediates it is given, and certificates that differ only in their
/// subjectAltName count as distinct there: a leaf plus N self-issued certificates sharing one
/// subject and key costs about N! signature checks (issue 13 item 3: 357 CPU-seconds for N = 9).
/// So before any search: at most `maxIntermediates` certificates besides the leaf, exact copies
/// dropped, and two different certificates with the same subject refused. With unique subjects
/// every tip has at most one candidate issuer among the intermediates, so the search is a single
/// path of at most `maxIntermediates` steps.
public struct PresentedChain: Sendable {
    /// How many certificates besides the leaf a client may present. Facility PKIs here are a root
    /// and at most an issuing CA or two; a client that also sends the root still fits.
    public static let maxIntermediates = 4

    public let leaf: Certificate
    /// The presented certificates after the leaf, exact copies removed, in presentation order.
    public let intermediates: [Certificate]

    /// Why a presented chain is refused before any path search.
    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        case empty
        case unparsable(index: Int)
        case tooManyCertificates(count: Int)
        case duplicateSubject(String)

        public var description: String {
            switch self {
            case .empty:
                return "no client certificate"
            case .unparsable(let index):
                return "presented certificate #\(index) does not parse"
            case .tooManyCertificates(let count):
                return "presented \(count) certificates besides the leaf (at most \(PresentedChain.maxIntermediates) are considered)"
            case .duplicateSubject(let subject):
                return "presented two different certificates with the subject \(subject)"
            }
        }
    }

    /// Parses and checks the DER certificates in the order the client sent them (leaf first).
    /// Cheap: at most `maxIntermediates + 1` parses; nothing is parsed past the cap.
    public init(derEncoded presented: [[UInt8]]) throws(Refusal) {
        guard !presented.isEmpty else { throw .empty }
        guard presented.count - 1 <= Self.maxIntermediates else { throw .tooManyCertificates(count: presented.count - 1) }
        var certificates: [Certificate] = []
        for (index, der) in presented.enumerated() {
            do {
                certificates.append(try Certificate(derEncoded: der))
            } catch {
                throw .unparsable(index: index)
            }
        }
        let leaf = certificates.removeFirst()
        var kept: [Certificate] = []
        for certificate in certificates where certificate != leaf && !kept.contains(certificate) {
            if kept.contains(where: { $0.subject == certificate.subject }) {
                throw .duplicateSubject(DistinguishedNameText.rfc4514(certificate.subject))
            }
            kept.append(certificate)
        }
        self.leaf = leaf
        self.intermediates = kept
    }
}
