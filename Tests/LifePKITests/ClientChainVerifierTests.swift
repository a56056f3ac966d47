import Foundation
import LifePKI
import Testing
import X509

/// Issue 13 items 3 and 5: whatever a client presents, verification does a bounded amount of
/// work, and only a clientAuth certificate of a configured CA passes.
@Suite("Bounded client chain verification")
struct ClientChainVerifierTests {
    let ca: CertificateAuthority
    let verifier: ClientChainVerifier

    init() throws {
        ca = try CertificateAuthority.create(commonName: "Chain CA")
        verifier = ClientChainVerifier(roots: [ca.certificate], crls: [])
    }

    private func der(_ certificates: Certificate...) throws -> [[UInt8]] {
        try certificates.map { try CertificateFacts($0).derEncoded }
    }

    @Test("a facility certificate of the CA is valid after at most one issuer lookup")
    func validLeaf() async throws {
        let client = try ca.issueClientCertificate(commonName: "A", facilityNumber: "1312345679")
        let report = await verifier.verify(derEncoded: [client.derEncoded])
        guard case .valid(let path) = report.outcome else {
            Issue.record("refused: \(report.outcome)")
            return
        }
        #expect(path == [client.certificate, ca.certificate])
        #expect(report.issuerLookups <= 1)
    }

    @Test("a path through a presented intermediate CA is valid, the root sent along is harmless")
    func validThroughIntermediate() async throws {
        let intermediateKey = TestCertificates.key()
        let intermediate = try TestCertificates.make(
            subject: TestCertificates.name("Issuing CA"), publicKey: intermediateKey.publicKey,
            issuer: ca.certificate.subject, issuerKey: ca.privateKey, isCA: true, keyUsage: KeyUsage(keyCertSign: true, cRLSign: true))
        let leaf = try TestCertificates.make(
            subject: TestCertificates.name("Terminal"), publicKey: TestCertificates.key().publicKey,
            issuer: intermediate.subject, issuerKey: intermediateKey, isCA: false, usages: [.clientAuth])
        let report = await verifier.verify(derEncoded: try der(leaf, intermediate, ca.certificate))
        guard case .valid(let path) = report.outcome else {
            Issue.record("refused: \(report.outcome)")
            return
        }
        #expect(path == [leaf, intermediate, ca.certificate])
        #expect(report.issuerLookups <= 2)
    }

    @Test("the crafted chain (N = 9 self-issued certificates of one subject and key) is refused before any search")
    func craftedChainRefusedUnsearched() async throws {
        for extra in [9, PresentedChain.maxIntermediates] {
            let report = await verifier.verify(derEncoded: try TestCertificates.craftedChain(extra: extra))
            guard case .invalid(let reason) = report.outcome else {
                Issue.record("N = \(extra) accepted")
                continue
            }
            #expect(report.issuerLookups == 0, "N = \(extra)")
            #expect(
                reason.contains(extra > PresentedChain.maxIntermediates ? "at most" : "two different certificates with the subject CN=Evil")
            )
        }
    }

    @Test("intermediates of distinct subjects issuing each other in a ring stay within the lookup budget")
    func ringWithinBudget() async throws {
        let ringKey = TestCertificates.key()
        let names = try (0..<PresentedChain.maxIntermediates).map { try TestCertificates.name("Ring \($0)") }
        let ring = try names.indices.map { index in
            try TestCertificates.make(
                subject: names[index], publicKey: ringKey.publicKey, issuer: names[(index + 1) % names.count], issuerKey: ringKey,
                isCA: true)
        }
        let leaf = try TestCertificates.make(
            subject: TestCertificates.name("Victim"), publicKey: TestCertificates.key().publicKey,
            issuer: names[0], issuerKey: ringKey, isCA: false, usages: [.clientAuth])
        let report = await verifier.verify(
            derEncoded: try [CertificateFacts(leaf).derEncoded] + ring.map { try CertificateFacts($0).derEncoded })
        guard case .invalid = report.outcome else {
            Issue.record("ring accepted")
            return
        }
        #expect(report.issuerLookups <= PresentedChain.maxIntermediates + 1)
        #expect(report.issuerLookups <= ClientChainVerifier.maxIssuerLookups)
    }

    @Test("the lookup budget answers no issuer once spent or once the task is cancelled")
    func budget() async throws {
        let store = IssuerLookupBudget([ca.certificate], limit: 2)
        #expect(await store[ca.certificate.subject] == [ca.certificate])
        #expect(await store[ca.certificate.subject] == [ca.certificate])
        #expect(await store[ca.certificate.subject] == nil)
        #expect(store.lookups == 2)
        #expect(store.exhausted)

        let fresh = IssuerLookupBudget([ca.certificate], limit: 100)
        let subject = ca.certificate.subject
        let task = Task {
            while !Task.isCancelled { await Task.yield() }
            return await fresh[subject]
        }
        task.cancel()
        #expect(await task.value == nil)
        #expect(fresh.lookups == 0)
    }

    @Test(
        "a certificate without the clientAuth extended key usage, or whose key usage forbids signing, is refused",
        arguments: [
            ([ExtendedKeyUsage.Usage.serverAuth], KeyUsage(digitalSignature: true), "clientAuth"),
            ([.emailProtection], KeyUsage(digitalSignature: true), "clientAuth"),
            (nil, KeyUsage(digitalSignature: true), "clientAuth"),
            ([.clientAuth], KeyUsage(keyEncipherment: true), "digitalSignature"),
        ] as [([ExtendedKeyUsage.Usage]?, KeyUsage, String)]
    )
    func extendedKeyUsage(usages: [ExtendedKeyUsage.Usage]?, keyUsage: KeyUsage, expected: String) async throws {
        let certificate = try TestCertificates.client(of: ca, usages: usages, keyUsage: keyUsage)
        let report = await verifier.verify(derEncoded: try der(certificate))
        guard case .invalid(let reason) = report.outcome else {
            Issue.record("accepted")
            return
        }
        #expect(reason.contains(expected))
    }

    @Test("a clientAuth certificate without key usage passes")
    func clientAuthWithoutKeyUsage() async throws {
        let certificate = try TestCertificates.client(of: ca, usages: [.clientAuth], keyUsage: nil)
        guard case .valid = await verifier.verify(derEncoded: try der(certificate)).outcome else {
            Issue.record("refused")
            return
        }
    }

    @Test("the CA's CRL outside thisUpdate…nextUpdate + grace refuses its certificates, unless not enforced")
    func crlFreshness() async throws {
        let client = try ca.issueClientCertificate(commonName: "A", facilityNumber: "1312345679")
        let now = Date.now
        let stale = try CertificateRevocationList(
            derEncoded: ca.makeCRL(
                revoking: [], crlNumber: 1, thisUpdate: now.addingTimeInterval(-2 * 86_400), nextUpdate: now.addingTimeInterval(-3600)))
        let future = try CertificateRevocationList(
            derEncoded: ca.makeCRL(
                revoking: [], crlNumber: 1, thisUpdate: now.addingTimeInterval(3600), nextUpdate: now.addingTimeInterval(86_400)))
        let cases: [(CertificateRevocationList, CRLFreshness, Bool)] = [
            (stale, CRLFreshness(), false),
            (stale, CRLFreshness(gracePeriod: 7200), true),
            (stale, CRLFreshness(enforced: false), true),
            (future, CRLFreshness(), false),
        ]
        for (crl, freshness, admitted) in cases {
            let judge = ClientChainVerifier(roots: [ca.certificate], crls: [crl], freshness: freshness)
            let outcome = await judge.verify(derEncoded: [client.derEncoded]).outcome
            switch outcome {
            case .valid: #expect(admitted, "\(freshness) admitted")
            case .invalid(let reason):
                #expect(!admitted, "\(freshness) refused: \(reason)")
                #expect(reason.contains("refused until a current CRL is loaded"))
            }
        }
    }
}
