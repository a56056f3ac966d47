import Crypto
import Foundation
import LifePKI
import X509

/// Certificates made at test time: a CA with a server certificate and client certificates in
/// every state the TLS listener must handle, plus a stranger CA.
public struct TestPKI: Sendable {
    public let folder: TemporaryDirectory
    public let ca: CertificateAuthority
    public let stranger: CertificateAuthority

    /// Names of the client identities written under the folder as `<name>.pem` / `<name>-key.pem`.
    public enum Client: String, CaseIterable, Sendable {
        case facilityA = "facility-a"
        /// A second terminal of facility A: another certificate with the same facility number.
        case facilityA2 = "facility-a2"
        case facilityB = "facility-b"
        case expired = "expired"
        case revoked = "revoked"
        case unknownCA = "unknown-ca"
        /// Valid and of the CA, but its subject names no facility.
        case unregistered = "unregistered"
    }

    public private(set) var issued: [Client: IssuedCertificate] = [:]

    public init(folder: TemporaryDirectory) throws {
        self.folder = folder
        ca = try CertificateAuthority.create(commonName: "lifed test CA")
        stranger = try CertificateAuthority.create(commonName: "some other CA")
        try folder.write(ca.certificatePEM, to: "ca.pem")
        let server = try ca.issueServerCertificate(commonName: "localhost", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
        try folder.write(server.certificatePEM, to: "server.pem")
        try folder.write(server.privateKeyPEM, to: "server-key.pem")
        let now = Date()
        issued[.facilityA] = try ca.issueClientCertificate(commonName: "Facility A", organization: "A", facilityNumber: "1312345679")
        issued[.facilityA2] = try ca.issueClientCertificate(
            commonName: "Facility A, terminal 2", organization: "A", facilityNumber: "1312345679")
        issued[.facilityB] = try ca.issueClientCertificate(commonName: "Facility B", organization: "B", facilityNumber: "2712345673")
        issued[.expired] = try ca.issueClientCertificate(
            commonName: "Expired",
            organization: nil,
            facilityNumber: nil,
            validity: now.addingTimeInterval(-400 * 86400)...now.addingTimeInterval(-35 * 86400)
        )
        issued[.revoked] = try ca.issueClientCertificate(commonName: "Revoked", organization: nil, facilityNumber: nil)
        issued[.unknownCA] = try stranger.issueClientCertificate(commonName: "Stranger", organization: nil, facilityNumber: nil)
        issued[.unregistered] = try ca.issueClientCertificate(
            commonName: "Terminal without facility", organization: nil, facilityNumber: nil)
        for (client, certificate) in issued {
            try folder.write(certificate.certificatePEM, to: "\(client.rawValue).pem")
            try folder.write(certificate.privateKeyPEM, to: "\(client.rawValue)-key.pem")
        }
        try writeCRL(revoking: [.revoked], number: 1)
    }

    /// Writes crl.pem revoking the given clients (and `serials`), current for a week unless other
    /// dates are given, with `extensions` added to the CRL's own.
    public func writeCRL(
        revoking clients: [Client], serials: [Certificate.SerialNumber] = [], number: Int, thisUpdate: Date = Date(),
        nextUpdate: Date? = nil, extensions: [Certificate.Extension] = []
    ) throws {
        let now = Date()
        let der = try CertificateRevocationList.make(
            issuer: ca.certificate,
            issuerKey: ca.privateKey,
            revoked: clients.compactMap { issued[$0].map { (serial: $0.certificate.serialNumber, date: now) } }
                + serials.map { (serial: $0, date: now) },
            thisUpdate: thisUpdate,
            nextUpdate: nextUpdate ?? now.addingTimeInterval(7 * 86400),
            crlNumber: number,
            additionalExtensions: extensions
        )
        try folder.write(CertificateRevocationList.pemEncoded(derEncoded: der), to: "crl.pem")
    }

    /// Writes `<name>.pem` and `<name>-key.pem`: a certificate of the CA with the facility number
    /// of facility A, the given extended key usages (nil: none) and validity.
    public func writeIdentity(
        _ name: String, usages: [ExtendedKeyUsage.Usage]?,
        validity: ClosedRange<Date> = Date().addingTimeInterval(-300)...Date().addingTimeInterval(86400)
    ) throws {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let leaf = try Self.certificate(
            subject: Self.name("Terminal \(name)", facilityNumber: "1312345679"), key: key.publicKey,
            issuer: ca.certificate.subject, issuerKey: ca.privateKey, isCA: false, usages: usages, validity: validity)
        try write(name, chain: [leaf], key: key)
    }

    /// Writes `<name>.pem` and `<name>-key.pem` as the attacker of issue 13 item 3 presents them: a
    /// leaf of a CA nobody trusts, then `extra` self-issued certificates of that CA sharing its
    /// subject and key and differing only in their subjectAltName.
    public func writeCraftedChain(_ name: String, extra: Int) throws {
        let evilKey = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let evil = try Self.name("Evil")
        let leafKey = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let leaf = try Self.certificate(
            subject: Self.name("Victim", facilityNumber: "1312345679"), key: leafKey.publicKey,
            issuer: evil, issuerKey: evilKey, isCA: false, usages: [.clientAuth])
        let selfIssued = try (0..<extra).map { index in
            try Self.certificate(
                subject: evil, key: evilKey.publicKey, issuer: evil, issuerKey: evilKey, isCA: true, dnsName: "n\(index).example")
        }
        try write(name, chain: [leaf] + selfIssued, key: leafKey)
    }

    /// Writes `<name>.pem` (a clientAuth certificate naming facility A, then the intermediate CA
    /// under the test CA that issued it) and `<name>-key.pem`; returns the intermediate's serial.
    @discardableResult
    public func writeIdentityUnderIntermediate(_ name: String) throws -> Certificate.SerialNumber {
        let intermediateKey = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let intermediateName = try Self.name("lifed test issuing CA")
        let intermediate = try Self.certificate(
            subject: intermediateName, key: intermediateKey.publicKey, issuer: ca.certificate.subject, issuerKey: ca.privateKey,
            isCA: true)
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let leaf = try Self.certificate(
            subject: Self.name("Terminal \(name)", facilityNumber: "1312345679"), key: key.publicKey, issuer: intermediateName,
            issuerKey: intermediateKey, isCA: false, usages: [.clientAuth])
        try write(name, chain: [leaf, intermediate], key: key)
        return intermediate.serialNumber
    }

    private func write(_ name: String, chain: [Certificate], key: Certificate.PrivateKey) throws {
        try folder.write(try chain.map { try $0.serializeAsPEM().pemString + "\n" }.joined(), to: "\(name).pem")
        try folder.write(key.serializeAsPEM().pemString + "\n", to: "\(name)-key.pem")
    }

    private static func name(_ commonName: String, facilityNumber: String) throws -> DistinguishedName {
        try DistinguishedName([
            RelativeDistinguishedName(.init(type: .RDNAttributeType.commonName, utf8String: commonName)),
            RelativeDistinguishedName(.init(type: CertificateFacts.serialNumberAttributeOID, printableString: facilityNumber)),
        ])
    }

    private static func name(_ commonName: String) throws -> DistinguishedName {
        try DistinguishedName([RelativeDistinguishedName(.init(type: .RDNAttributeType.commonName, utf8String: commonName))])
    }

    private static func certificate(
        subject: DistinguishedName, key: Certificate.PublicKey, issuer: DistinguishedName, issuerKey: Certificate.PrivateKey,
        isCA: Bool, usages: [ExtendedKeyUsage.Usage]? = nil, dnsName: String? = nil,
        validity: ClosedRange<Date> = Date().addingTimeInterval(-300)...Date().addingTimeInterval(86400)
    ) throws -> Certificate {
        var extensions = Certificate.Extensions()
        try extensions.append(
            Certificate.Extension(
                isCA ? BasicConstraints.isCertificateAuthority(maxPathLength: nil) : BasicConstraints.notCertificateAuthority,
                critical: true))
        if let usages { try extensions.append(Certificate.Extension(ExtendedKeyUsage(usages), critical: false)) }
        if let dnsName { try extensions.append(Certificate.Extension(SubjectAlternativeNames([.dnsName(dnsName)]), critical: false)) }
        return try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key,
            notValidBefore: validity.lowerBound, notValidAfter: validity.upperBound,
            issuer: issuer, subject: subject, signatureAlgorithm: .ecdsaWithSHA256, extensions: extensions, issuerPrivateKey: issuerKey)
    }

    public func certificatePath(_ client: Client) -> String { folder.file("\(client.rawValue).pem") }
    public func keyPath(_ client: Client) -> String { folder.file("\(client.rawValue)-key.pem") }
}
