import Crypto
import Foundation
import SwiftASN1
import X509

extension CertificateAuthority {
    /// Issues a TLS server certificate with a fresh P-256 key.
    ///
    /// Extensions: basicConstraints (not a CA), keyUsage digitalSignature, extendedKeyUsage
    /// serverAuth, subjectAltName with the DNS names and IP addresses (omitted when both are
    /// empty), subject and authority key identifiers.
    ///
    /// - Parameters:
    ///   - commonName: The subject common name.
    ///   - dnsNames: DNS names for the subjectAltName.
    ///   - ipAddresses: IPv4 or IPv6 addresses in text form, for the subjectAltName.
    ///   - validity: The validity period; defaults to one year. May lie in the past.
    /// - Throws: ``PKIError/invalidArgument(reason:)`` for an unparsable IP address.
    public func issueServerCertificate(
        commonName: String,
        dnsNames: [String],
        ipAddresses: [String],
        validity: ClosedRange<Date>? = nil
    ) throws -> IssuedCertificate {
        var names = dnsNames.map { GeneralName.dnsName($0) }
        for address in ipAddresses {
            names.append(.ipAddress(ASN1OctetString(contentBytes: try IPAddressBytes.parse(address)[...])))
        }
        let subject = try DistinguishedName([
            RelativeDistinguishedName.Attribute(type: .RDNAttributeType.commonName, utf8String: commonName)
        ])
        return try issue(
            subject: subject,
            usage: .serverAuth,
            subjectAlternativeNames: names.isEmpty ? nil : SubjectAlternativeNames(names),
            validity: validity
        )
    }

    /// Issues a TLS client certificate with a fresh P-256 key.
    ///
    /// The subject is `O=organization` (when given), `CN=commonName` and, when
    /// `facilityNumber` is given, `serialNumber=facilityNumber` (OID 2.5.4.5, PrintableString),
    /// the attribute the server can read a facility number from. Extensions: basicConstraints
    /// (not a CA), keyUsage digitalSignature, extendedKeyUsage clientAuth, subject and authority
    /// key identifiers.
    ///
    /// - Parameters:
    ///   - commonName: The subject common name.
    ///   - organization: The subject organization, if any.
    ///   - facilityNumber: The facility number (事業所番号), if any; must be a non-empty
    ///     PrintableString (letters, digits, space and `'()+,-./:=?`).
    ///   - validity: The validity period; defaults to one year. May lie in the past (an expired
    ///     certificate for tests).
    /// - Throws: ``PKIError/invalidArgument(reason:)`` for a facility number that is empty or
    ///   not printable.
    public func issueClientCertificate(
        commonName: String,
        organization: String? = nil,
        facilityNumber: String? = nil,
        validity: ClosedRange<Date>? = nil
    ) throws -> IssuedCertificate {
        var rdns: [RelativeDistinguishedName] = []
        if let organization {
            rdns.append(.init(.init(type: .RDNAttributeType.organizationName, utf8String: organization)))
        }
        rdns.append(.init(.init(type: .RDNAttributeType.commonName, utf8String: commonName)))
        if let facilityNumber {
            rdns.append(.init(try Self.facilityNumberAttribute(facilityNumber)))
        }
        return try issue(
            subject: DistinguishedName(rdns),
            usage: .clientAuth,
            subjectAlternativeNames: nil,
            validity: validity
        )
    }

    /// The subject serialNumber attribute (2.5.4.5) holding a facility number.
    static func facilityNumberAttribute(_ facilityNumber: String) throws -> RelativeDistinguishedName.Attribute {
        guard !facilityNumber.isEmpty else {
            throw PKIError.invalidArgument(reason: "facility number is empty")
        }
        do {
            return try RelativeDistinguishedName.Attribute(
                type: CertificateFacts.serialNumberAttributeOID,
                printableString: facilityNumber
            )
        } catch {
            throw PKIError.invalidArgument(
                reason: "facility number \"\(facilityNumber)\" is not a PrintableString"
            )
        }
    }

    private func issue(
        subject: DistinguishedName,
        usage: ExtendedKeyUsage.Usage,
        subjectAlternativeNames: SubjectAlternativeNames?,
        validity: ClosedRange<Date>?
    ) throws -> IssuedCertificate {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let period = validity ?? Self.defaultPeriod(lifetime: Self.defaultLeafLifetime)
        let authorityKeyIdentifier =
            try certificate.extensions.subjectKeyIdentifier?.keyIdentifier
            ?? SubjectKeyIdentifier(hash: certificate.publicKey).keyIdentifier

        var extensions = try Certificate.Extensions([
            Certificate.Extension(BasicConstraints.notCertificateAuthority, critical: true),
            Certificate.Extension(KeyUsage(digitalSignature: true), critical: true),
            Certificate.Extension(ExtendedKeyUsage([usage]), critical: false),
            Certificate.Extension(SubjectKeyIdentifier(hash: key.publicKey), critical: false),
            Certificate.Extension(AuthorityKeyIdentifier(keyIdentifier: authorityKeyIdentifier), critical: false),
        ])
        if let subjectAlternativeNames {
            try extensions.append(Certificate.Extension(subjectAlternativeNames, critical: false))
        }

        let issued = try Certificate(
            version: .v3,
            serialNumber: SerialNumberGenerator.random(),
            publicKey: key.publicKey,
            notValidBefore: period.lowerBound,
            notValidAfter: period.upperBound,
            issuer: certificate.subject,
            subject: subject,
            signatureAlgorithm: SignatureAlgorithmIdentifier.preferredAlgorithm(for: privateKey),
            extensions: extensions,
            issuerPrivateKey: privateKey
        )
        return try IssuedCertificate(certificate: issued, privateKey: key)
    }
}
