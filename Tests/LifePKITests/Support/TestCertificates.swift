import Crypto
import Foundation
import LifePKI
import SwiftASN1
import X509

/// Certificates shaped the way an attacker or a careless CA makes them, which
/// `CertificateAuthority` deliberately cannot.
enum TestCertificates {
    static func key() -> Certificate.PrivateKey {
        Certificate.PrivateKey(P256.Signing.PrivateKey())
    }

    static func name(_ commonName: String, facilityNumber: String? = nil) throws -> DistinguishedName {
        var attributes = [RelativeDistinguishedName.Attribute(type: .RDNAttributeType.commonName, utf8String: commonName)]
        if let facilityNumber {
            attributes.append(try .init(type: CertificateFacts.serialNumberAttributeOID, printableString: facilityNumber))
        }
        return DistinguishedName(attributes.map { RelativeDistinguishedName($0) })
    }

    /// A certificate for `publicKey` named `subject`, signed by `issuerKey` in the name of `issuer`.
    /// `usages` nil omits the extended key usage; `dnsName` adds a subjectAltName.
    static func make(
        subject: DistinguishedName,
        publicKey: Certificate.PublicKey,
        issuer: DistinguishedName,
        issuerKey: Certificate.PrivateKey,
        isCA: Bool,
        usages: [ExtendedKeyUsage.Usage]? = nil,
        keyUsage: KeyUsage? = nil,
        dnsName: String? = nil,
        validity: ClosedRange<Date> = Date.now.addingTimeInterval(-300)...Date.now.addingTimeInterval(86_400)
    ) throws -> Certificate {
        var extensions = Certificate.Extensions()
        try extensions.append(
            Certificate.Extension(
                isCA ? BasicConstraints.isCertificateAuthority(maxPathLength: nil) : BasicConstraints.notCertificateAuthority,
                critical: true))
        if let keyUsage { try extensions.append(Certificate.Extension(keyUsage, critical: true)) }
        if let usages { try extensions.append(Certificate.Extension(ExtendedKeyUsage(usages), critical: false)) }
        if let dnsName { try extensions.append(Certificate.Extension(SubjectAlternativeNames([.dnsName(dnsName)]), critical: false)) }
        return try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: publicKey,
            notValidBefore: validity.lowerBound,
            notValidAfter: validity.upperBound,
            issuer: issuer,
            subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions,
            issuerPrivateKey: issuerKey
        )
    }

    /// A client certificate of `ca` with the given extended key usages and key usage.
    static func client(
        of ca: CertificateAuthority, usages: [ExtendedKeyUsage.Usage]?, keyUsage: KeyUsage? = KeyUsage(digitalSignature: true)
    )
        throws -> Certificate
    {
        try make(
            subject: name("Terminal", facilityNumber: "1312345679"), publicKey: key().publicKey,
            issuer: ca.certificate.subject, issuerKey: ca.privateKey, isCA: false, usages: usages, keyUsage: keyUsage)
    }

    /// The chain of issue 13 item 3: a leaf issued by "Evil", then `extra` self-issued "Evil" CA
    /// certificates sharing one key and differing only in their subjectAltName, as DER.
    static func craftedChain(extra: Int) throws -> [[UInt8]] {
        let evilKey = key()
        let evil = try name("Evil")
        let leaf = try make(
            subject: name("Victim", facilityNumber: "1312345679"), publicKey: key().publicKey,
            issuer: evil, issuerKey: evilKey, isCA: false, usages: [.clientAuth])
        let selfIssued = try (0..<extra).map { index in
            try make(
                subject: evil, publicKey: evilKey.publicKey, issuer: evil, issuerKey: evilKey, isCA: true, dnsName: "n\(index).example")
        }
        return try ([leaf] + selfIssued).map { try CertificateFacts($0).derEncoded }
    }
}
