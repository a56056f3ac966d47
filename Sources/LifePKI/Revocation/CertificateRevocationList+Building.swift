import Foundation
import SwiftASN1
import X509

extension CertificateRevocationList {
    /// Builds and signs a v2 CRL and returns its DER encoding.
    ///
    /// The CRL carries a CRL Number extension and, when the issuer certificate has a subject key
    /// identifier, an authority key identifier. The signature algorithm follows the key:
    /// ecdsa-with-SHA256/384/512 for P-256/384/521, sha256WithRSAEncryption for RSA, Ed25519 for
    /// Ed25519. Dates are written in whole seconds, as UTCTime for 1950–2049 and GeneralizedTime
    /// otherwise. An empty `revoked` list omits `revokedCertificates`, as RFC 5280 requires.
    ///
    /// - Parameters:
    ///   - issuer: The CA certificate; its subject becomes the CRL issuer.
    ///   - issuerKey: The CA's private key; must match `issuer`'s public key.
    ///   - revoked: Serial numbers with their revocation dates.
    ///   - thisUpdate: The issue date of this CRL.
    ///   - nextUpdate: The date by which the next CRL will be issued (not before `thisUpdate`).
    ///   - crlNumber: A non-negative, monotonically increasing sequence number.
    ///   - additionalExtensions: CRL extensions to add after those (an issuing distribution
    ///     point, say, to make a partial CRL).
    /// - Throws: ``PKIError/keyMismatch``, ``PKIError/invalidArgument(reason:)``,
    ///   ``PKIError/unsupportedKey(reason:)``, or a signing error.
    public static func make(
        issuer: Certificate,
        issuerKey: Certificate.PrivateKey,
        revoked: [(serial: Certificate.SerialNumber, date: Date)],
        thisUpdate: Date,
        nextUpdate: Date,
        crlNumber: Int,
        additionalExtensions: [Certificate.Extension] = []
    ) throws -> [UInt8] {
        guard issuerKey.publicKey == issuer.publicKey else { throw PKIError.keyMismatch }
        guard crlNumber >= 0 else { throw PKIError.invalidArgument(reason: "crlNumber must not be negative") }
        guard nextUpdate >= thisUpdate else {
            throw PKIError.invalidArgument(reason: "nextUpdate is before thisUpdate")
        }
        let algorithm = try SignatureAlgorithmIdentifier.preferredAlgorithm(for: issuerKey)
        let extensions = try crlExtensions(issuer: issuer, crlNumber: crlNumber) + additionalExtensions

        let tbsCertList = try DEREncoding.bytes { coder in
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                try coder.serialize(1)  // v2
                try SignatureAlgorithmIdentifier.serialize(algorithm, into: &coder)
                try coder.serialize(issuer.subject)
                try ASN1Time.serialize(thisUpdate, into: &coder)
                try ASN1Time.serialize(nextUpdate, into: &coder)
                if !revoked.isEmpty {
                    try coder.appendConstructedNode(identifier: .sequence) { coder in
                        for entry in revoked {
                            try coder.appendConstructedNode(identifier: .sequence) { coder in
                                try coder.serialize(entry.serial.bytes)
                                try ASN1Time.serialize(entry.date, into: &coder)
                            }
                        }
                    }
                }
                try coder.serialize(explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific) { coder in
                    try coder.serializeSequenceOf(extensions)
                }
            }
        }

        let signature = try issuerKey.sign(bytes: tbsCertList, signatureAlgorithm: algorithm)
        return try DEREncoding.bytes { coder in
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                coder.serializeRawBytes(tbsCertList)
                try SignatureAlgorithmIdentifier.serialize(algorithm, into: &coder)
                try coder.serialize(ASN1BitString(bytes: signature.rawRepresentation[...]))
            }
        }
    }

    /// Same as ``make(issuer:issuerKey:revoked:thisUpdate:nextUpdate:crlNumber:)``, as PEM text
    /// labelled "X509 CRL".
    public static func makePEM(
        issuer: Certificate,
        issuerKey: Certificate.PrivateKey,
        revoked: [(serial: Certificate.SerialNumber, date: Date)],
        thisUpdate: Date,
        nextUpdate: Date,
        crlNumber: Int
    ) throws -> String {
        let der = try make(
            issuer: issuer, issuerKey: issuerKey, revoked: revoked,
            thisUpdate: thisUpdate, nextUpdate: nextUpdate, crlNumber: crlNumber
        )
        return pemEncoded(derEncoded: der)
    }

    /// Wraps DER bytes of a CRL in a PEM block labelled "X509 CRL" (ending with a newline).
    public static func pemEncoded(derEncoded: [UInt8]) -> String {
        PEMDocument(type: pemLabel, derBytes: derEncoded).pemString + "\n"
    }

    /// This CRL as PEM text labelled "X509 CRL".
    public var pemEncoded: String {
        Self.pemEncoded(derEncoded: derEncoded)
    }

    private static func crlExtensions(issuer: Certificate, crlNumber: Int) throws -> [Certificate.Extension] {
        var extensions: [Certificate.Extension] = []
        if let subjectKeyIdentifier = try issuer.extensions.subjectKeyIdentifier {
            let authorityKeyIdentifier = AuthorityKeyIdentifier(keyIdentifier: subjectKeyIdentifier.keyIdentifier)
            extensions.append(try Certificate.Extension(authorityKeyIdentifier, critical: false))
        }
        extensions.append(
            Certificate.Extension(
                oid: crlNumberOID,
                critical: false,
                value: try DEREncoding.bytes(of: crlNumber)[...]
            )
        )
        return extensions
    }
}
