import Foundation
import LifePKI
import Testing
import X509

/// Interoperability with the `openssl` command line tool. Skipped when it is not on PATH.
@Suite("OpenSSL interoperability", .enabled(if: OpenSSL.isAvailable, "openssl is not on PATH"))
struct OpenSSLInteropTests {
    @Test func opensslVerifiesOurCRL() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let ca = try CertificateAuthority.create(commonName: "Interop CA")
        let revoked = try ca.issueClientCertificate(commonName: "revoked", facilityNumber: "1312345678")
        let crl = try ca.makeCRL(
            revoking: [revoked.serialNumber], crlNumber: 12, nextUpdate: .now.addingTimeInterval(86_400))
        try directory.write(ca.certificatePEM, to: "ca.pem")
        try directory.write(CertificateRevocationList.pemEncoded(derEncoded: crl), to: "crl.pem")

        let verify = try OpenSSL.run(["crl", "-in", "crl.pem", "-CAfile", "ca.pem", "-noout"], in: directory.url)
        #expect(verify.status == 0, "\(verify.output)")
        #expect(verify.output.contains("verify OK"), "\(verify.output)")

        let text = try OpenSSL.run(["crl", "-in", "crl.pem", "-noout", "-text"], in: directory.url)
        #expect(text.output.contains("CRL Number"), "\(text.output)")
        #expect(text.output.contains("12"), "\(text.output)")
    }

    @Test func opensslRejectsARevokedClientUsingOurCRL() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let ca = try CertificateAuthority.create(commonName: "Chain CA")
        let revoked = try ca.issueClientCertificate(commonName: "revoked")
        let good = try ca.issueClientCertificate(commonName: "good")
        let crl = try ca.makeCRL(
            revoking: [revoked.serialNumber], crlNumber: 1, nextUpdate: .now.addingTimeInterval(3600))
        try directory.write(ca.certificatePEM, to: "ca.pem")
        try directory.write(CertificateRevocationList.pemEncoded(derEncoded: crl), to: "crl.pem")
        try directory.write(revoked.certificatePEM, to: "revoked.pem")
        try directory.write(good.certificatePEM, to: "good.pem")

        let arguments = ["verify", "-crl_check", "-purpose", "sslclient", "-CAfile", "ca.pem", "-CRLfile", "crl.pem"]
        let goodResult = try OpenSSL.run(arguments + ["good.pem"], in: directory.url)
        #expect(goodResult.status == 0, "\(goodResult.output)")
        let revokedResult = try OpenSSL.run(arguments + ["revoked.pem"], in: directory.url)
        #expect(revokedResult.status != 0)
        #expect(revokedResult.output.contains("certificate revoked"), "\(revokedResult.output)")
    }

    @Test func opensslAgreesOnTheFingerprint() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let ca = try CertificateAuthority.create(commonName: "Fingerprint CA")
        let server = try ca.issueServerCertificate(
            commonName: "localhost", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
        try directory.write(server.certificatePEM, to: "server.pem")
        let result = try OpenSSL.run(
            ["x509", "-in", "server.pem", "-noout", "-fingerprint", "-sha256"], in: directory.url)
        let printed = result.output.split(separator: "=").last.map {
            $0.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(printed?.replacingOccurrences(of: ":", with: "").lowercased() == server.fingerprintSHA256)
    }

    @Test func opensslReadsOurPrivateKeyAndSubject() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let ca = try CertificateAuthority.create(commonName: "Key CA")
        let client = try ca.issueClientCertificate(
            commonName: "Terminal", organization: "Care", facilityNumber: "1312345678")
        try directory.write(client.privateKeyPEM, to: "key.pem")
        try directory.write(client.certificatePEM, to: "client.pem")

        let key = try OpenSSL.run(["pkey", "-in", "key.pem", "-noout", "-check"], in: directory.url)
        #expect(key.status == 0, "\(key.output)")
        let subject = try OpenSSL.run(
            ["x509", "-in", "client.pem", "-noout", "-subject", "-nameopt", "RFC2253"], in: directory.url
        )
        #expect(subject.output.contains("serialNumber=1312345678,CN=Terminal,O=Care"), "\(subject.output)")
    }

    /// `openssl ca -gencrl`, with CRL and entry extensions (reason codes), for a P-256 CA made
    /// here and for an RSA CA made by openssl.
    @Test(arguments: ["ec", "rsa"])
    func parsesCRLsMadeByOpenSSLCA(keyType: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let ca: CertificateAuthority
        if keyType == "ec" {
            ca = try CertificateAuthority.create(commonName: "OpenSSL EC CA")
            try directory.write(ca.certificatePEM, to: "ca.pem")
            try directory.write(ca.privateKeyPEM, to: "ca.key")
        } else {
            let made = try OpenSSL.run(
                [
                    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
                    "-subj", "/CN=OpenSSL RSA CA", "-days", "30",
                ],
                in: directory.url
            )
            try #require(made.status == 0, "\(made.output)")
            ca = try CertificateAuthority(
                certificatePEM: String(decoding: directory.read("ca.pem"), as: UTF8.self),
                privateKeyPEM: String(decoding: directory.read("ca.key"), as: UTF8.self)
            )
        }
        try directory.write(
            "R\t300101000000Z\t250101000000Z,keyCompromise\t0A1B2C\tunknown\t/CN=one\n"
                + "R\t300101000000Z\t240615120000Z\t7F\tunknown\t/CN=two\n"
                + "V\t300101000000Z\t\t1234\tunknown\t/CN=valid\n",
            to: "index.txt"
        )
        try directory.write("1000\n", to: "crlnumber")
        try directory.write(
            """
            [ ca ]
            default_ca = CA_default
            [ CA_default ]
            database = \(directory.path("index.txt"))
            crlnumber = \(directory.path("crlnumber"))
            default_md = sha256
            default_crl_days = 7
            crl_extensions = crl_ext
            [ crl_ext ]
            authorityKeyIdentifier = keyid:always

            """,
            to: "ca.cnf"
        )
        let made = try OpenSSL.run(
            [
                "ca", "-gencrl", "-config", "ca.cnf", "-keyfile", "ca.key", "-cert", "ca.pem", "-out", "crl.pem",
                "-batch",
            ],
            in: directory.url
        )
        try #require(made.status == 0, "\(made.output)")
        let converted = try OpenSSL.run(
            ["crl", "-in", "crl.pem", "-outform", "DER", "-out", "crl.der"], in: directory.url
        )
        try #require(converted.status == 0, "\(converted.output)")

        let crl = try CertificateRevocationList.load(contentsOfFile: directory.path("crl.pem"))
        #expect(try CertificateRevocationList.load(contentsOfFile: directory.path("crl.der")) == crl)
        #expect(crl.version == 2)
        #expect(crl.issuer == ca.certificate.subject)
        #expect(crl.crlNumber == 0x1000)
        #expect(crl.signatureAlgorithm == (keyType == "ec" ? .ecdsaWithSHA256 : .sha256WithRSAEncryption))
        #expect(crl.revokedSerialNumbers.count == 2)
        #expect(crl.isRevoked(0x0A1B2C))
        #expect(crl.revocationDate(of: 0x0A1B2C) == Dates.utc("2025-01-01T00:00:00Z"))
        #expect(crl.isRevoked(0x7F))
        #expect(crl.revocationDate(of: 0x7F) == Dates.utc("2024-06-15T12:00:00Z"))
        #expect(!crl.isRevoked(0x1234))
        let nextUpdate = try #require(crl.nextUpdate)
        #expect(abs(nextUpdate.timeIntervalSince(crl.thisUpdate) - Dates.days(7)) < 2)
        #expect(crl.isSignatureValid(issuer: ca.certificate))
        #expect(crl.isIssued(by: ca.certificate))
        #expect(!crl.isSignatureValid(issuer: try CertificateAuthority.create(commonName: "x").certificate))
    }

    /// Our builder with an RSA issuer key (made by openssl) signs with sha256WithRSAEncryption.
    @Test func opensslVerifiesOurRSASignedCRL() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let made = try OpenSSL.run(
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
                "-subj", "/CN=RSA CA", "-days", "30",
            ],
            in: directory.url
        )
        try #require(made.status == 0, "\(made.output)")
        let ca = try CertificateAuthority(
            certificatePEM: String(decoding: directory.read("ca.pem"), as: UTF8.self),
            privateKeyPEM: String(decoding: directory.read("ca.key"), as: UTF8.self)
        )
        let der = try ca.makeCRL(revoking: [77], crlNumber: 5, nextUpdate: .now.addingTimeInterval(3600))
        try directory.write(der, to: "crl.der")

        let crl = try CertificateRevocationList(derEncoded: der)
        #expect(crl.signatureAlgorithm == .sha256WithRSAEncryption)
        #expect(crl.isSignatureValid(issuer: ca.certificate))
        let verify = try OpenSSL.run(
            ["crl", "-inform", "DER", "-in", "crl.der", "-CAfile", "ca.pem", "-noout"], in: directory.url)
        #expect(verify.output.contains("verify OK"), "\(verify.output)")
    }
}
