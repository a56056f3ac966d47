import Foundation
import SwiftASN1
import X509

/// A parsed X.509 certificate revocation list (RFC 5280 §5, `CertificateList`).
///
/// Parse one with ``init(derEncoded:)``, ``init(pemEncoded:)`` or ``load(contentsOfFile:)``;
/// make one with ``make(issuer:issuerKey:revoked:thisUpdate:nextUpdate:crlNumber:)``.
/// Parsing checks structure only: call ``isSignatureValid(issuer:)`` (or ``isIssued(by:)``)
/// before trusting the contents.
///
/// CRL extensions and CRL entry extensions are parsed for well-formedness and otherwise
/// skipped; the CRL extensions are available raw in ``extensions``.
public struct CertificateRevocationList: Sendable, Equatable {
    /// The PEM label of a CRL ("X509 CRL").
    public static let pemLabel = "X509 CRL"

    /// The complete DER encoding this value was parsed from.
    public let derEncoded: [UInt8]

    /// The CRL version: 1 (no version field) or 2.
    public let version: Int

    /// The name of the CA that issued the CRL.
    public let issuer: DistinguishedName

    /// When this CRL was issued.
    public let thisUpdate: Date

    /// When the next CRL will be issued, if the issuer said so.
    public let nextUpdate: Date?

    /// Revoked serial numbers mapped to their revocation dates. When a serial number appears
    /// more than once, the earliest date is kept.
    public let revokedSerialNumbers: [Certificate.SerialNumber: Date]

    /// The CRL Number extension (2.5.29.20), when present and small enough for `Int`.
    public let crlNumber: Int?

    /// The CRL extensions (`crlExtensions`), as found.
    public let extensions: [Certificate.Extension]

    /// The OIDs (dotted) of the critical extensions found on any revoked entry, sorted. lifed
    /// understands none: such a CRL is refused (``acceptanceProblem(issuer:)``).
    public let criticalEntryExtensions: [String]

    /// The signature algorithm, or nil when it is one LifePKI cannot verify (for example RSA-PSS).
    public let signatureAlgorithm: Certificate.SignatureAlgorithm?

    /// The signature algorithm OID in dotted form, for messages about unsupported algorithms.
    public let signatureAlgorithmOID: String

    /// The DER bytes of `tbsCertList`, over which the signature is computed.
    let tbsCertListBytes: [UInt8]

    /// The contents of the `signatureValue` BIT STRING.
    let signatureBytes: [UInt8]

    /// The number of unused bits in the last byte of `signatureValue` (must be 0).
    let signaturePaddingBits: Int

    init(
        derEncoded: [UInt8],
        version: Int,
        issuer: DistinguishedName,
        thisUpdate: Date,
        nextUpdate: Date?,
        revokedSerialNumbers: [Certificate.SerialNumber: Date],
        crlNumber: Int?,
        extensions: [Certificate.Extension],
        criticalEntryExtensions: [String],
        signatureAlgorithmOID: ASN1ObjectIdentifier,
        tbsCertListBytes: [UInt8],
        signatureBytes: [UInt8],
        signaturePaddingBits: Int
    ) {
        self.derEncoded = derEncoded
        self.version = version
        self.issuer = issuer
        self.thisUpdate = thisUpdate
        self.nextUpdate = nextUpdate
        self.revokedSerialNumbers = revokedSerialNumbers
        self.crlNumber = crlNumber
        self.extensions = extensions
        self.criticalEntryExtensions = criticalEntryExtensions
        self.signatureAlgorithm = SignatureAlgorithmIdentifier.algorithm(for: signatureAlgorithmOID)
        self.signatureAlgorithmOID = signatureAlgorithmOID.description
        self.tbsCertListBytes = tbsCertListBytes
        self.signatureBytes = signatureBytes
        self.signaturePaddingBits = signaturePaddingBits
    }

    /// Two CRLs are equal when their DER encodings are identical.
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.derEncoded == rhs.derEncoded
    }

    /// Whether the serial number is listed as revoked.
    public func isRevoked(_ serial: Certificate.SerialNumber) -> Bool {
        revokedSerialNumbers[serial] != nil
    }

    /// The revocation date of a serial number, or nil if it is not listed.
    public func revocationDate(of serial: Certificate.SerialNumber) -> Date? {
        revokedSerialNumbers[serial]
    }

    /// Whether the CRL is past its `nextUpdate` at `date` (false when no `nextUpdate` is given).
    public func isExpired(at date: Date = .now) -> Bool {
        guard let nextUpdate else { return false }
        return date > nextUpdate
    }

    /// Whether the CRL's signature over `tbsCertList` verifies with `issuer`'s public key.
    ///
    /// Only the signature is checked; see ``isIssued(by:)`` for the name and key-usage checks.
    /// Returns false for algorithms LifePKI does not support.
    public func isSignatureValid(issuer: Certificate) -> Bool {
        guard let signatureAlgorithm, signaturePaddingBits == 0 else { return false }
        return issuer.publicKey.isValidSignature(
            signatureBytes,
            for: tbsCertListBytes,
            signatureAlgorithm: signatureAlgorithm
        )
    }

    /// Whether `certificate` issued this CRL: its subject equals the CRL issuer, its key usage
    /// (when present) allows cRLSign, and the signature verifies (RFC 5280 §6.3.3).
    public func isIssued(by certificate: Certificate) -> Bool {
        guard certificate.subject == issuer else { return false }
        do {
            if let keyUsage = try certificate.extensions.keyUsage, !keyUsage.cRLSign { return false }
        } catch {
            return false
        }
        return isSignatureValid(issuer: certificate)
    }
}
