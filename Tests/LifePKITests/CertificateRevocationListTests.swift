import Foundation
import LifePKI
import SwiftASN1
import Testing
import X509

@Suite("CRL build and parse")
struct CertificateRevocationListTests {
    let ca: CertificateAuthority
    let otherCA: CertificateAuthority

    init() throws {
        ca = try CertificateAuthority.create(commonName: "LifePKI Test CA")
        otherCA = try CertificateAuthority.create(commonName: "Other CA")
    }

    @Test func roundTripListsRevokedSerialsOnly() throws {
        let revoked = try ca.issueClientCertificate(commonName: "Revoked", facilityNumber: "1312345678")
        let kept = try ca.issueClientCertificate(commonName: "Kept", facilityNumber: "1312345679")
        let thisUpdate = Dates.now()
        let nextUpdate = thisUpdate.addingTimeInterval(Dates.days(7))

        let der = try ca.makeCRL(
            revoking: [revoked.serialNumber, 42], crlNumber: 7, thisUpdate: thisUpdate, nextUpdate: nextUpdate
        )
        let crl = try CertificateRevocationList(derEncoded: der)

        #expect(crl.version == 2)
        #expect(crl.issuer == ca.certificate.subject)
        #expect(crl.thisUpdate == thisUpdate)
        #expect(crl.nextUpdate == nextUpdate)
        #expect(crl.crlNumber == 7)
        #expect(crl.signatureAlgorithm == .ecdsaWithSHA256)
        #expect(crl.revokedSerialNumbers.count == 2)
        #expect(crl.isRevoked(revoked.serialNumber))
        #expect(crl.isRevoked(42))
        #expect(!crl.isRevoked(kept.serialNumber))
        #expect(crl.revocationDate(of: revoked.serialNumber) == thisUpdate)
        #expect(crl.derEncoded == der)
        #expect(!crl.isExpired(at: thisUpdate))
        #expect(crl.isExpired(at: nextUpdate.addingTimeInterval(1)))
    }

    @Test func signatureVerifiesOnlyWithTheIssuingCA() throws {
        let der = try ca.makeCRL(revoking: [1, 2, 3], crlNumber: 1, nextUpdate: .now.addingTimeInterval(3600))
        let crl = try CertificateRevocationList(derEncoded: der)

        #expect(crl.isSignatureValid(issuer: ca.certificate))
        #expect(crl.isIssued(by: ca.certificate))
        #expect(!crl.isSignatureValid(issuer: otherCA.certificate))
        #expect(!crl.isIssued(by: otherCA.certificate))
    }

    @Test func authorityKeyIdentifierMatchesTheCA() throws {
        let crl = try CertificateRevocationList(
            derEncoded: ca.makeCRL(revoking: [], crlNumber: 1, nextUpdate: .now.addingTimeInterval(60))
        )
        let extensionValue = try #require(crl.extensions.first { $0.oid == [2, 5, 29, 35] })
        let authorityKeyIdentifier = try AuthorityKeyIdentifier(extensionValue)
        let subjectKeyIdentifier = try #require(try ca.certificate.extensions.subjectKeyIdentifier)
        #expect(authorityKeyIdentifier.keyIdentifier == subjectKeyIdentifier.keyIdentifier)
    }

    @Test func tamperedCRLFailsSignatureCheck() throws {
        var der = try ca.makeCRL(revoking: [0x1234_5678], crlNumber: 3, nextUpdate: .now.addingTimeInterval(60))
        // Change the revoked serial 0x12345678 to 0x12345679 inside tbsCertList.
        let serial: [UInt8] = [0x02, 0x04, 0x12, 0x34, 0x56, 0x78]
        let range = try #require(der.firstRange(of: serial))
        der[range.upperBound - 1] = 0x79

        let crl = try CertificateRevocationList(derEncoded: der)
        #expect(crl.isRevoked(0x1234_5679))
        #expect(!crl.isSignatureValid(issuer: ca.certificate))
    }

    @Test func emptyCRLHasNoRevokedCertificates() throws {
        let crl = try CertificateRevocationList(
            derEncoded: ca.makeCRL(revoking: [], crlNumber: 0, nextUpdate: .now.addingTimeInterval(60))
        )
        #expect(crl.revokedSerialNumbers.isEmpty)
        #expect(crl.crlNumber == 0)
        #expect(crl.isSignatureValid(issuer: ca.certificate))
    }

    @Test func datesOutside1950To2049UseGeneralizedTime() throws {
        let thisUpdate = Dates.utc("2051-03-04T05:06:07Z")
        let nextUpdate = Dates.utc("2100-12-31T23:59:59Z")
        let early = Dates.utc("1949-12-31T23:59:59Z")
        let late = Dates.utc("2049-12-31T23:59:59Z")
        let der = try CertificateRevocationList.make(
            issuer: ca.certificate,
            issuerKey: ca.privateKey,
            revoked: [(serial: 1, date: early), (serial: 2, date: late)],
            thisUpdate: thisUpdate,
            nextUpdate: nextUpdate,
            crlNumber: 9
        )
        // GeneralizedTime "20510304050607Z" and UTCTime "491231235959Z" are both present.
        #expect(der.firstRange(of: [0x18, 0x0F] + Array("20510304050607Z".utf8)) != nil)
        #expect(der.firstRange(of: [0x17, 0x0D] + Array("491231235959Z".utf8)) != nil)

        let crl = try CertificateRevocationList(derEncoded: der)
        #expect(crl.thisUpdate == thisUpdate)
        #expect(crl.nextUpdate == nextUpdate)
        #expect(crl.revocationDate(of: 1) == early)
        #expect(crl.revocationDate(of: 2) == late)
        #expect(crl.isSignatureValid(issuer: ca.certificate))
    }

    @Test func largeSerialNumbersRoundTrip() throws {
        let issued = try (0..<5).map { _ in try ca.issueClientCertificate(commonName: "c") }
        let serials = issued.map(\.serialNumber) + [Certificate.SerialNumber(bytes: [0x80, 0, 1])]
        let crl = try CertificateRevocationList(
            derEncoded: ca.makeCRL(revoking: serials, crlNumber: 1, nextUpdate: .now.addingTimeInterval(60))
        )
        for serial in serials {
            #expect(crl.isRevoked(serial))
        }
        #expect(!crl.isRevoked(Certificate.SerialNumber(bytes: [0x80, 0, 2])))
    }

    @Test func makeRejectsAKeyThatIsNotTheIssuers() {
        #expect(throws: PKIError.keyMismatch) {
            try CertificateRevocationList.make(
                issuer: ca.certificate, issuerKey: otherCA.privateKey, revoked: [],
                thisUpdate: .now, nextUpdate: .now.addingTimeInterval(60), crlNumber: 1
            )
        }
    }

    @Test func makeRejectsBadArguments() {
        #expect(throws: PKIError.self) {
            try ca.makeCRL(revoking: [], crlNumber: -1, nextUpdate: .now.addingTimeInterval(60))
        }
        #expect(throws: PKIError.self) {
            try ca.makeCRL(revoking: [], crlNumber: 1, thisUpdate: .now, nextUpdate: .now.addingTimeInterval(-60))
        }
    }
}
