import Crypto
import Foundation
import LifePKI
import SwiftASN1
import Testing
import X509

@Suite("Certificate facts")
struct CertificateFactsTests {
    let ca: CertificateAuthority

    init() throws {
        ca = try CertificateAuthority.create(commonName: "Facts CA")
    }

    @Test func subjectAndIssuerStrings() throws {
        let client = try ca.issueClientCertificate(
            commonName: "Terminal 1", organization: "Example Care", facilityNumber: "1312345678"
        )
        let facts = try CertificateFacts(client.certificate)
        #expect(facts.subject == "serialNumber=1312345678,CN=Terminal 1,O=Example Care")
        #expect(facts.issuer == "CN=Facts CA")
    }

    @Test func specialCharactersAreEscaped() throws {
        let client = try ca.issueClientCertificate(commonName: " Smith, John+1 ", organization: "#1 <Care>")
        let facts = try CertificateFacts(client.certificate)
        #expect(facts.subject == ##"CN=\ Smith\, John\+1\ ,O=\#1 \<Care\>"##)
        #expect(facts.commonName == " Smith, John+1 ")
    }

    @Test func multiValuedAndNonStringAttributes() throws {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let subject = DistinguishedName([
            RelativeDistinguishedName([
                .init(type: .RDNAttributeType.commonName, utf8String: "A"),
                .init(type: .RDNAttributeType.organizationalUnitName, utf8String: "B"),
            ]),
            RelativeDistinguishedName(
                .init(type: [1, 2, 3, 4], value: .init(asn1Any: try ASN1Any(erasing: 5)))
            ),
        ])
        let certificate = try Certificate(
            version: .v3, serialNumber: 1, publicKey: key.publicKey,
            notValidBefore: .now, notValidAfter: .now.addingTimeInterval(60),
            issuer: subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: Certificate.Extensions(), issuerPrivateKey: key
        )
        let facts = try CertificateFacts(certificate)
        // RDN attributes come out in DER SET order; the INTEGER 5 is shown as #020105.
        #expect(facts.subject.hasPrefix("1.2.3.4=#020105,"))
        #expect(facts.subject.contains("CN=A") && facts.subject.contains("OU=B") && facts.subject.contains("+"))
        #expect(facts.subjectAttribute([1, 2, 3, 4]) == nil)
        #expect(facts.serialNumberHex == "01")
    }

    @Test func serialNumberHex() throws {
        let client = try ca.issueClientCertificate(commonName: "Serial")
        let facts = try CertificateFacts(client.certificate)
        let expected = client.serialNumber.bytes.map { String(format: "%02x", $0) }.joined()
        #expect(facts.serialNumberHex == expected)
        #expect(facts.serialNumberHex.count == 40)
    }

    @Test func attributeLookupByOIDString() throws {
        let client = try ca.issueClientCertificate(commonName: "Lookup", organization: "Org", facilityNumber: "42")
        let facts = try CertificateFacts(derEncoded: client.derEncoded)
        #expect(try facts.subjectAttribute(oid: "2.5.4.10") == "Org")
        #expect(try facts.subjectAttribute(oid: "2.5.4.11") == nil)
        #expect(facts.subjectAttributes(CertificateFacts.serialNumberAttributeOID) == ["42"])
        #expect(throws: PKIError.self) { try facts.subjectAttribute(oid: "serialNumber") }
        #expect(throws: PKIError.self) { try CertificateFacts.objectIdentifier("1..2") }
    }

    @Test func garbageCertificateThrows() {
        #expect(throws: (any Error).self) { try CertificateFacts(derEncoded: [0x30, 0x03, 0x02, 0x01, 0x01]) }
    }
}
