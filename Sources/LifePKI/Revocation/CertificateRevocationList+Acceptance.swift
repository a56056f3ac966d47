import SwiftASN1
import X509

extension CertificateRevocationList {
    static let deltaCRLIndicatorOID: ASN1ObjectIdentifier = [2, 5, 29, 27]
    static let issuingDistributionPointOID: ASN1ObjectIdentifier = [2, 5, 29, 28]
    static let authorityKeyIdentifierOID: ASN1ObjectIdentifier = [2, 5, 29, 35]

    /// Why this CRL cannot serve as the complete CRL of one of `cas`, or nil when it can: it is
    /// complete (no delta CRL indicator, no issuing distribution point, no other critical
    /// extension lifed does not understand, on the CRL or on an entry), and a CA of `cas` with
    /// its issuer name signed it and, when that CA has a key usage, is allowed cRLSign
    /// (RFC 5280 §6.3.3). A partial or delta CRL taken as complete would re-admit certificates
    /// it does not cover.
    public func acceptanceProblem(among cas: [Certificate]) -> String? {
        if let feature = unsupportedFeature { return feature }
        let issuerText = DistinguishedNameText.logSafe(issuer)
        let named = cas.filter { $0.subject == issuer }
        guard !named.isEmpty else { return "holds a CRL of \(issuerText), which is not a CA of the bundle" }
        let signers = named.filter { isSignatureValid(issuer: $0) }
        guard !signers.isEmpty else { return "holds a CRL of \(issuerText) not signed by that CA" }
        guard signers.contains(where: isIssued(by:)) else {
            return "holds a CRL of \(issuerText) whose CA has a key usage without cRLSign"
        }
        return nil
    }

    /// What makes this CRL other than a complete CRL lifed can apply, or nil.
    private var unsupportedFeature: String? {
        if extensions.contains(where: { $0.oid == Self.deltaCRLIndicatorOID }) {
            return "holds a delta CRL (deltaCRLIndicator): lifed needs complete CRLs"
        }
        if extensions.contains(where: { $0.oid == Self.issuingDistributionPointOID }) {
            return "holds a partial CRL (issuingDistributionPoint): lifed needs complete CRLs"
        }
        let understood = [Self.crlNumberOID, Self.authorityKeyIdentifierOID]
        if let unknown = extensions.first(where: { $0.critical && !understood.contains($0.oid) }) {
            return "holds a CRL with the unsupported critical extension \(unknown.oid)"
        }
        if !criticalEntryExtensions.isEmpty {
            return "holds a CRL whose entries have unsupported critical extensions (\(criticalEntryExtensions.joined(separator: ", ")))"
        }
        return nil
    }
}
