import Foundation
import LifePKI
import SwiftASN1
import Testing
import X509

/// Issue 13 item 4: only a complete CRL, signed by its CA with cRLSign allowed, is accepted.
@Suite("CRL acceptance")
struct CRLAcceptanceTests {
    let ca: CertificateAuthority

    init() throws {
        ca = try CertificateAuthority.create(commonName: "Acceptance CA")
    }

    private func crl(
        issuer: Certificate? = nil, key: Certificate.PrivateKey? = nil, extensions: [Certificate.Extension] = []
    ) throws -> CertificateRevocationList {
        try CertificateRevocationList(
            derEncoded: CertificateRevocationList.make(
                issuer: issuer ?? ca.certificate, issuerKey: key ?? ca.privateKey, revoked: [(serial: 7, date: .now)],
                thisUpdate: .now, nextUpdate: .now.addingTimeInterval(3600), crlNumber: 3, additionalExtensions: extensions))
    }

    @Test func completeCRLOfTheCAIsAccepted() throws {
        #expect(try crl().acceptanceProblem(among: [ca.certificate]) == nil)
    }

    @Test(
        "partial, delta and unknown critical extensions refuse the CRL, critical or not where RFC 5280 says they change its scope",
        arguments: [
            ([2, 5, 29, 28], true, "partial CRL"),
            ([2, 5, 29, 28], false, "partial CRL"),
            ([2, 5, 29, 27], true, "delta CRL"),
            ([1, 3, 6, 1, 4, 1, 99999, 1], true, "unsupported critical extension"),
        ] as [(ASN1ObjectIdentifier, Bool, String)]
    )
    func unsupportedExtension(oid: ASN1ObjectIdentifier, critical: Bool, expected: String) throws {
        // An empty SEQUENCE for an issuing distribution point, INTEGER 1 otherwise.
        let value: [UInt8] = oid == [2, 5, 29, 28] ? [0x30, 0x00] : [0x02, 0x01, 0x01]
        let problem = try crl(extensions: [Certificate.Extension(oid: oid, critical: critical, value: value[...])])
            .acceptanceProblem(among: [ca.certificate])
        #expect(problem?.contains(expected) == true, "\(String(describing: problem))")
    }

    @Test func unknownNonCriticalExtensionIsIgnored() throws {
        let problem = try crl(extensions: [Certificate.Extension(oid: [1, 3, 6, 1, 4, 1, 99999, 2], critical: false, value: [0x05, 0x00])])
            .acceptanceProblem(among: [ca.certificate])
        #expect(problem == nil)
    }

    @Test("a CA whose key usage lacks cRLSign cannot issue a CRL")
    func withoutCRLSign() throws {
        let key = TestCertificates.key()
        let name = try TestCertificates.name("No CRL CA")
        let certificate = try TestCertificates.make(
            subject: name, publicKey: key.publicKey, issuer: name, issuerKey: key, isCA: true, keyUsage: KeyUsage(keyCertSign: true))
        let problem = try crl(issuer: certificate, key: key).acceptanceProblem(among: [certificate])
        #expect(problem?.contains("cRLSign") == true)
    }

    @Test func signedByAnotherKeyOrOfAnUnknownCA() throws {
        let other = try CertificateAuthority.create(commonName: "Acceptance CA")
        #expect(try crl().acceptanceProblem(among: [other.certificate])?.contains("not signed by that CA") == true)
        let stranger = try CertificateAuthority.create(commonName: "Stranger")
        #expect(try crl().acceptanceProblem(among: [stranger.certificate])?.contains("not a CA of the bundle") == true)
    }

    @Test func stalenessIsReportedWithTheDates() throws {
        let freshness = CRLFreshness()
        let crl = try crl()
        #expect(freshness.staleness(of: crl, at: .now) == nil)
        #expect(freshness.staleness(of: crl, at: .now.addingTimeInterval(7200))?.contains("past its nextUpdate") == true)
        #expect(freshness.staleness(of: crl, at: .now.addingTimeInterval(-3600))?.contains("thisUpdate") == true)
        #expect(CRLFreshness(enforced: false).refusal(of: crl, at: .now.addingTimeInterval(7200)) == nil)
    }
}
