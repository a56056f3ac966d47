import Foundation
import LifePKI
import Testing
import X509

@Suite("CRL PEM, DER and bad input")
struct CertificateRevocationListLoadingTests {
    let ca: CertificateAuthority
    let der: [UInt8]

    init() throws {
        ca = try CertificateAuthority.create(commonName: "Loading CA")
        der = try ca.makeCRL(revoking: [5, 6], crlNumber: 2, nextUpdate: .now.addingTimeInterval(3600))
    }

    @Test func pemRoundTrip() throws {
        let pem = CertificateRevocationList.pemEncoded(derEncoded: der)
        #expect(pem.hasPrefix("-----BEGIN X509 CRL-----\n"))
        #expect(pem.hasSuffix("-----END X509 CRL-----\n"))
        let crl = try CertificateRevocationList(pemEncoded: pem)
        #expect(crl == (try CertificateRevocationList(derEncoded: der)))
        #expect(crl.pemEncoded == pem)
    }

    @Test func makePEMProducesAParsableCRL() throws {
        let pem = try CertificateRevocationList.makePEM(
            issuer: ca.certificate, issuerKey: ca.privateKey, revoked: [(serial: 9, date: .now)],
            thisUpdate: .now, nextUpdate: .now.addingTimeInterval(60), crlNumber: 4
        )
        let crl = try CertificateRevocationList(pemEncoded: pem)
        #expect(crl.isRevoked(9))
        #expect(crl.crlNumber == 4)
    }

    @Test func pemAmongOtherBlocksAndText() throws {
        let text =
            "issued by the dev CA\n" + ca.certificatePEM + "\nsome comment\n"
            + CertificateRevocationList.pemEncoded(derEncoded: der)
        let crl = try CertificateRevocationList(pemEncoded: text)
        #expect(crl.isRevoked(5))
    }

    @Test func pemWithoutCRLBlockThrows() {
        #expect(throws: PKIError.missingPEMBlock(label: "X509 CRL")) {
            try CertificateRevocationList(pemEncoded: ca.certificatePEM)
        }
        #expect(throws: PKIError.missingPEMBlock(label: "X509 CRL")) {
            try CertificateRevocationList(pemEncoded: "")
        }
    }

    @Test func badPEMThrows() {
        let broken = "-----BEGIN X509 CRL-----\n!!!not base64!!!\n-----END X509 CRL-----\n"
        #expect(throws: PKIError.self) { try CertificateRevocationList(pemEncoded: broken) }
        let unterminated = "-----BEGIN X509 CRL-----\nMIIB\n"
        #expect(throws: PKIError.self) { try CertificateRevocationList(pemEncoded: unterminated) }
    }

    @Test func loadsDERAndPEMFiles() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write(der, to: "crl.der")
        try directory.write(CertificateRevocationList.pemEncoded(derEncoded: der), to: "crl.pem")

        let fromDER = try CertificateRevocationList.load(contentsOfFile: directory.path("crl.der"))
        let fromPEM = try CertificateRevocationList.load(contentsOfFile: directory.path("crl.pem"))
        #expect(fromDER == fromPEM)
        #expect(fromDER.isRevoked(6))
        #expect(try CertificateRevocationList.decode(derOrPEM: der) == fromDER)
    }

    @Test func loadAllReadsEveryCRLInABundle() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let second = try CertificateAuthority.create(commonName: "Second CA")
        let secondDER = try second.makeCRL(revoking: [], crlNumber: 1, nextUpdate: .now.addingTimeInterval(60))
        try directory.write(
            CertificateRevocationList.pemEncoded(derEncoded: der)
                + CertificateRevocationList.pemEncoded(derEncoded: secondDER),
            to: "bundle.pem"
        )
        try directory.write(der, to: "single.der")

        let all = try CertificateRevocationList.loadAll(contentsOfFile: directory.path("bundle.pem"))
        #expect(all.map(\.issuer) == [ca.certificate.subject, second.certificate.subject])
        #expect(try CertificateRevocationList.loadAll(contentsOfFile: directory.path("single.der")).count == 1)
    }

    @Test func missingFileThrows() {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-\(UUID()).crl").path
        #expect {
            try CertificateRevocationList.load(contentsOfFile: path)
        } throws: { error in
            guard case PKIError.unreadableFile(let reported, _) = error else { return false }
            return reported == path
        }
    }

    @Test func everyTruncationThrows() {
        for length in 0..<der.count {
            #expect(throws: PKIError.self, "prefix of \(length) bytes") {
                try CertificateRevocationList(derEncoded: Array(der.prefix(length)))
            }
        }
    }

    @Test func trailingBytesThrow() {
        #expect(throws: PKIError.self) { try CertificateRevocationList(derEncoded: der + [0]) }
    }

    @Test func garbageThrows() throws {
        var generator = SystemRandomNumberGenerator()
        for size in [1, 2, 16, 100, 1000] {
            for _ in 0..<20 {
                let bytes = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
                #expect(throws: PKIError.self) { try CertificateRevocationList(derEncoded: bytes) }
            }
        }
        // Well-formed DER that is not a CRL: a certificate, an empty SEQUENCE, a bare INTEGER.
        let certificate = try ca.issueClientCertificate(commonName: "not a CRL")
        for bytes in [certificate.derEncoded, [0x30, 0x00], [0x02, 0x01, 0x05]] {
            #expect(throws: PKIError.self) { try CertificateRevocationList(derEncoded: bytes) }
        }
        #expect(throws: PKIError.self) { try CertificateRevocationList.decode(derOrPEM: Array("hello".utf8)) }
    }

    @Test func corruptingAnyByteNeverCrashes() {
        // Flip each byte in turn: parsing either throws a PKIError or yields a CRL whose
        // signature no longer verifies.
        for index in der.indices {
            var corrupted = der
            corrupted[index] ^= 0xFF
            do {
                let crl = try CertificateRevocationList(derEncoded: corrupted)
                #expect(!crl.isSignatureValid(issuer: ca.certificate), "byte \(index)")
            } catch {
                #expect(error is PKIError, "byte \(index)")
            }
        }
    }
}
