import Crypto
import Foundation
import SwiftASN1
import X509

/// A P-256 certificate authority for development (`lifed --dev`) and tests: it makes a
/// self-signed root, issues server and client certificates, and signs CRLs.
///
/// Not meant for production PKI: keys live in memory and serial numbers are not recorded.
public struct CertificateAuthority: Sendable {
    /// Default lifetime of a CA certificate: 10 years.
    public static let defaultCALifetime: TimeInterval = 10 * 365.25 * 86_400

    /// Default lifetime of a server or client certificate: 1 year.
    public static let defaultLeafLifetime: TimeInterval = 365 * 86_400

    /// How far before "now" default validity periods start, to tolerate clock skew.
    public static let backdating: TimeInterval = 5 * 60

    /// The CA certificate and key with their encodings.
    public let identity: IssuedCertificate

    /// The CA certificate.
    public var certificate: Certificate { identity.certificate }

    /// The CA private key.
    public var privateKey: Certificate.PrivateKey { identity.privateKey }

    /// The CA certificate as PEM ("CERTIFICATE").
    public var certificatePEM: String { identity.certificatePEM }

    /// The CA private key as PKCS#8 PEM ("PRIVATE KEY").
    public var privateKeyPEM: String { identity.privateKeyPEM }

    /// Lower-case hex SHA-256 fingerprint of the CA certificate.
    public var fingerprintSHA256: String { identity.fingerprintSHA256 }

    /// Wraps an existing CA certificate and key (for example one written by an earlier
    /// `lifed --dev` run).
    ///
    /// - Throws: ``PKIError/keyMismatch`` when the key does not belong to the certificate.
    public init(certificate: Certificate, privateKey: Certificate.PrivateKey) throws {
        self.identity = try IssuedCertificate(certificate: certificate, privateKey: privateKey)
    }

    /// Reads an existing CA certificate and key from PEM.
    public init(certificatePEM: String, privateKeyPEM: String) throws {
        self.identity = try IssuedCertificate(certificatePEM: certificatePEM, privateKeyPEM: privateKeyPEM)
    }

    /// Creates a new self-signed root CA with a fresh P-256 key.
    ///
    /// The certificate has subject CN=`commonName`, critical basicConstraints (CA), critical
    /// keyUsage keyCertSign + cRLSign, and a subject key identifier.
    ///
    /// - Parameters:
    ///   - commonName: The CA's common name.
    ///   - validity: The validity period; defaults to 10 years from (slightly before) now.
    public static func create(commonName: String, validity: ClosedRange<Date>? = nil) throws -> CertificateAuthority {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let name = try DistinguishedName([
            RelativeDistinguishedName.Attribute(type: .RDNAttributeType.commonName, utf8String: commonName)
        ])
        let period = validity ?? defaultPeriod(lifetime: defaultCALifetime)
        let extensions = try Certificate.Extensions([
            Certificate.Extension(BasicConstraints.isCertificateAuthority(maxPathLength: nil), critical: true),
            Certificate.Extension(KeyUsage(keyCertSign: true, cRLSign: true), critical: true),
            Certificate.Extension(SubjectKeyIdentifier(hash: key.publicKey), critical: false),
        ])
        let certificate = try Certificate(
            version: .v3,
            serialNumber: SerialNumberGenerator.random(),
            publicKey: key.publicKey,
            notValidBefore: period.lowerBound,
            notValidAfter: period.upperBound,
            issuer: name,
            subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions,
            issuerPrivateKey: key
        )
        return try CertificateAuthority(certificate: certificate, privateKey: key)
    }

    /// Signs a CRL listing `revoking`, each with `thisUpdate` as its revocation date, and returns
    /// its DER encoding (see
    /// ``CertificateRevocationList/make(issuer:issuerKey:revoked:thisUpdate:nextUpdate:crlNumber:)``).
    public func makeCRL(
        revoking serials: [Certificate.SerialNumber],
        crlNumber: Int,
        thisUpdate: Date = .now,
        nextUpdate: Date
    ) throws -> [UInt8] {
        try CertificateRevocationList.make(
            issuer: certificate,
            issuerKey: privateKey,
            revoked: serials.map { (serial: $0, date: thisUpdate) },
            thisUpdate: thisUpdate,
            nextUpdate: nextUpdate,
            crlNumber: crlNumber
        )
    }

    /// `now - backdating ... now + lifetime`.
    static func defaultPeriod(lifetime: TimeInterval) -> ClosedRange<Date> {
        let now = Date.now
        return now.addingTimeInterval(-backdating)...now.addingTimeInterval(lifetime)
    }
}
