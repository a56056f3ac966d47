import Crypto
import Foundation
import LifePKI
import SwiftASN1
import Testing
import X509

@Suite("Development certificate authority")
struct CertificateAuthorityTests {
    let ca: CertificateAuthority

    init() throws {
        ca = try CertificateAuthority.create(commonName: "lifed dev CA")
    }

    @Test func caCertificateIsASelfSignedRoot() throws {
        let certificate = ca.certificate
        #expect(certificate.subject == certificate.issuer)
        #expect(certificate.publicKey.isValidSignature(certificate.signature, for: certificate))
        #expect(P256.Signing.PublicKey(certificate.publicKey) != nil)
        #expect(try certificate.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: nil))
        let keyUsage = try #require(try certificate.extensions.keyUsage)
        #expect(keyUsage.keyCertSign && keyUsage.cRLSign)
        #expect(try certificate.extensions.subjectKeyIdentifier != nil)
        let lifetime = certificate.notValidAfter.timeIntervalSince(certificate.notValidBefore)
        #expect(abs(lifetime - (CertificateAuthority.defaultCALifetime + CertificateAuthority.backdating)) < 2)
    }

    @Test func caValidityCanBeChosen() throws {
        let start = Dates.utc("2020-01-01T00:00:00Z")
        let end = Dates.utc("2021-01-01T00:00:00Z")
        let old = try CertificateAuthority.create(commonName: "Old CA", validity: start...end)
        #expect(old.certificate.notValidBefore == start)
        #expect(old.certificate.notValidAfter == end)
    }

    @Test func clientCertificateCarriesFacilityNumberAndClientAuth() throws {
        let client = try ca.issueClientCertificate(
            commonName: "Terminal 1", organization: "Example Care", facilityNumber: "1312345678"
        )
        let certificate = client.certificate
        #expect(certificate.issuer == ca.certificate.subject)

        let attributes = certificate.subject.flatMap { $0 }
        let serialNumber = try #require(attributes.first { $0.type == [2, 5, 4, 5] })
        #expect(String(serialNumber.value) == "1312345678")
        // PrintableString (tag 0x13), as X.520 specifies for serialNumber.
        var coder = DER.Serializer()
        try coder.serialize(ASN1Any(serialNumber.value))
        #expect(coder.serializedBytes.first == 0x13)

        let facts = try CertificateFacts(certificate)
        #expect(facts.subjectSerialNumber == "1312345678")
        #expect(try facts.subjectAttribute(oid: "2.5.4.5") == "1312345678")
        #expect(facts.subjectAttribute(.RDNAttributeType.organizationName) == "Example Care")
        #expect(facts.commonName == "Terminal 1")

        let usages = try #require(try certificate.extensions.extendedKeyUsage)
        #expect(Array(usages) == [.clientAuth])
        #expect(try certificate.extensions.basicConstraints == .notCertificateAuthority)
        #expect(
            try certificate.extensions.authorityKeyIdentifier?.keyIdentifier
                == ca.certificate.extensions.subjectKeyIdentifier?.keyIdentifier)
    }

    @Test func clientCertificateWithoutOptionalAttributes() throws {
        let client = try ca.issueClientCertificate(commonName: "Plain")
        let facts = try CertificateFacts(client.certificate)
        #expect(facts.subjectSerialNumber == nil)
        #expect(facts.subject == "CN=Plain")
    }

    @Test func facilityNumberMustBeAPrintableString() {
        #expect(throws: PKIError.self) {
            try ca.issueClientCertificate(commonName: "x", facilityNumber: "事業所")
        }
        #expect(throws: PKIError.self) {
            try ca.issueClientCertificate(commonName: "x", facilityNumber: "")
        }
    }

    @Test func serverCertificateHasServerAuthAndSubjectAltNames() throws {
        let server = try ca.issueServerCertificate(
            commonName: "localhost", dnsNames: ["localhost", "lifed.example"], ipAddresses: ["127.0.0.1", "::1"]
        )
        let usages = try #require(try server.certificate.extensions.extendedKeyUsage)
        #expect(Array(usages) == [.serverAuth])
        let names = try #require(try server.certificate.extensions.subjectAlternativeNames)
        #expect(
            Array(names) == [
                .dnsName("localhost"),
                .dnsName("lifed.example"),
                .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
                .ipAddress(ASN1OctetString(contentBytes: ArraySlice([UInt8](repeating: 0, count: 15) + [1]))),
            ])
    }

    @Test func invalidIPAddressThrows() {
        #expect(throws: PKIError.self) {
            try ca.issueServerCertificate(commonName: "x", dnsNames: [], ipAddresses: ["300.1.2.3"])
        }
    }

    @Test func issuedCertificatesVerifyAgainstTheCA() async throws {
        let client = try ca.issueClientCertificate(commonName: "Client", facilityNumber: "0123456789")
        let server = try ca.issueServerCertificate(commonName: "localhost", dnsNames: ["localhost"], ipAddresses: [])
        #expect(try await Self.verifies(client.certificate, trusting: ca.certificate))
        #expect(try await Self.verifies(server.certificate, trusting: ca.certificate))

        let other = try CertificateAuthority.create(commonName: "Unrelated CA")
        #expect(try await !Self.verifies(client.certificate, trusting: other.certificate))
    }

    @Test func expiredClientCertificateFailsVerification() async throws {
        let now = Date.now
        let expired = try ca.issueClientCertificate(
            commonName: "Expired", facilityNumber: "1",
            validity: now.addingTimeInterval(-Dates.days(400))...now.addingTimeInterval(-Dates.days(35))
        )
        #expect(expired.certificate.notValidAfter < now)
        #expect(try await !Self.verifies(expired.certificate, trusting: ca.certificate))
    }

    @Test func serialNumbersAreRandomPositiveAndTwentyOctets() throws {
        let serials = try (0..<30).map { _ in try ca.issueClientCertificate(commonName: "s").serialNumber }
        #expect(Set(serials).count == serials.count)
        for serial in serials {
            #expect(serial.bytes.count == 20)
            #expect(serial.bytes.first! & 0x80 == 0)
        }
        #expect(!serials.contains(ca.certificate.serialNumber))
    }

    @Test func pemEncodingsRoundTrip() throws {
        let client = try ca.issueClientCertificate(commonName: "PEM")
        #expect(client.certificatePEM.hasPrefix("-----BEGIN CERTIFICATE-----\n"))
        #expect(client.privateKeyPEM.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        let reloaded = try IssuedCertificate(certificatePEM: client.certificatePEM, privateKeyPEM: client.privateKeyPEM)
        #expect(reloaded.certificate == client.certificate)
        #expect(reloaded.privateKey == client.privateKey)

        #expect(ca.privateKeyPEM.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        let reloadedCA = try CertificateAuthority(certificatePEM: ca.certificatePEM, privateKeyPEM: ca.privateKeyPEM)
        let issued = try reloadedCA.issueClientCertificate(commonName: "from reloaded CA")
        #expect(issued.certificate.issuer == ca.certificate.subject)
    }

    @Test func fingerprintIsLowerCaseSHA256OfTheDER() throws {
        let client = try ca.issueClientCertificate(commonName: "Fingerprint")
        let expected = SHA256.hash(data: client.derEncoded).map { String(format: "%02x", $0) }.joined()
        #expect(client.fingerprintSHA256 == expected)
        #expect(client.fingerprintSHA256.count == 64)
        #expect(try CertificateFacts(derEncoded: client.derEncoded).fingerprintSHA256 == expected)
        #expect(try Certificate(derEncoded: client.derEncoded) == client.certificate)
    }

    @Test func mismatchedKeyIsRejected() throws {
        let other = try CertificateAuthority.create(commonName: "Other")
        #expect(throws: PKIError.keyMismatch) {
            try CertificateAuthority(certificate: ca.certificate, privateKey: other.privateKey)
        }
    }

    static func verifies(_ leaf: Certificate, trusting root: Certificate) async throws -> Bool {
        var verifier = Verifier(rootCertificates: CertificateStore([root])) { RFC5280Policy() }
        let result = await verifier.validate(leaf: leaf, intermediates: CertificateStore())
        if case .validCertificate = result { return true }
        return false
    }
}
