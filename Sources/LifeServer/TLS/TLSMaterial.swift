import Foundation
import LifePKI
import LifeWire
import NIOSSL
import X509

/// The loaded, checked TLS files: what a new connection's handshake uses. Built whole or not at
/// all, so a reload with a bad file keeps the previous material.
public struct TLSMaterial: Sendable {
    let context: NIOSSLContext
    let verifier: ClientCertificateVerifier
    /// notAfter of the server's own certificate (reported by Health).
    public let serverCertificateNotAfter: Date
    /// How many CRLs are in force (for logs).
    public let crlCount: Int
    /// The earliest nextUpdate among the CRLs in force (reported by Health, so `lifectl probe`
    /// warns before a CA's certificates are refused); nil when no CRL has one.
    public let crlNextUpdate: Date?
    /// What loaded but refuses clients, for the operator: a CRL that is not current (its CA's
    /// certificates are refused unless `tls.crl_enforce_next_update = false`). The listener logs
    /// these at start and at every reload; `lifed --check-config` should print them.
    public let warnings: [String]

    /// Why this material no longer accepts a TLS peer admitted earlier — a certificate of its
    /// validated path revoked, or the CRL of a CA of that path not current at `now` — or nil.
    func withdrawal(of peer: PeerIdentity, at now: Date) -> ClientCertificateVerifier.Withdrawal? {
        guard case .tls(let tlsPeer) = peer else { return nil }
        return verifier.withdrawal(of: [tlsPeer.certificateDER] + tlsPeer.validatedIntermediates, at: now)
    }

    /// Whether a CRL of this material is not current at `now` and so refuses its CA's certificates
    /// (then open connections of that CA are ended too, `Listener.dropConnections(refusedBy:at:)`).
    public func refusesSomeCA(at now: Date) -> Bool {
        verifier.refusesSomeCA(at: now)
    }

    /// Loads and cross-checks every file; the error names the file and what is wrong with it.
    /// A CRL must be complete, signed by a CA of the bundle allowed cRLSign, alone for its CA,
    /// and not older (by CRL number) than the one `ledger` says is in force.
    public static func load(_ settings: TLSSettings, ledger: CRLNumberLedger = .process, now: Date = .now) throws -> TLSMaterial {
        let chain = try read(settings.certificatePath, what: "server certificate") {
            try NIOSSLCertificate.fromPEMFile($0)
        }
        guard let leaf = chain.first else {
            throw TLSMaterialError(path: settings.certificatePath, reason: "contains no certificate")
        }
        let key = try read(settings.privateKeyPath, what: "server private key") {
            try NIOSSLPrivateKey(file: $0, format: .pem)
        }
        let caPEMs = try read(settings.clientCAPath, what: "client CA bundle") {
            try NIOSSLCertificate.fromPEMFile($0)
        }
        let roots = try caPEMs.map { try Certificate(derEncoded: $0.toDERBytes()) }
        guard !roots.isEmpty else {
            throw TLSMaterialError(path: settings.clientCAPath, reason: "contains no certificate")
        }
        let facilityAnchors = try facilityAttributeAnchors(settings, roots: roots)
        let freshness = CRLFreshness(gracePeriod: settings.crlGracePeriod, enforced: settings.enforceCRLNextUpdate)
        let (crls, entries) = try acceptedCRLs(settings.crlPaths, roots: roots)
        try ledger.check(entries)
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) },
            privateKey: .privateKey(key)
        )
        configuration.minimumTLSVersion = settings.allowTLS12 ? .tlsv12 : .tlsv13
        // TLS 1.2, where enabled, only with forward secrecy and AEAD (Mozilla's intermediate
        // list); TLS 1.3's suites all have both.
        configuration.cipherSuites = Self.tls12CipherSuites
        configuration.certificateVerification = .noHostnameVerification
        configuration.trustRoots = .certificates(caPEMs)
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw TLSMaterialError(
                path: settings.privateKeyPath,
                reason: "does not fit the certificate in \(settings.certificatePath) (\(error))"
            )
        }
        let serverCertificate = try Certificate(derEncoded: leaf.toDERBytes())
        ledger.record(entries)
        return TLSMaterial(
            context: context,
            verifier: ClientCertificateVerifier(
                chain: ClientChainVerifier(roots: roots, crls: crls.map(\.crl), freshness: freshness),
                facilityAttributeAnchors: facilityAnchors
            ),
            serverCertificateNotAfter: serverCertificate.notValidAfter,
            crlCount: crls.count,
            crlNextUpdate: crls.compactMap(\.crl.nextUpdate).min(),
            warnings: crls.compactMap { loaded in
                freshness.staleness(of: loaded.crl, at: now).map { stale in
                    let issuer = DistinguishedNameText.logSafe(loaded.crl.issuer)
                    let effect =
                        freshness.enforced
                        ? "certificates of \(issuer) are refused until a current CRL is loaded (tls.crl_grace_period, tls.crl_enforce_next_update)"
                        : "still used because tls.crl_enforce_next_update = false"
                    return "\(loaded.path): the CRL of \(issuer) \(stale); \(effect)"
                }
            }
        )
    }

    /// The CAs of `tls.facility_attribute_ca` (default: the whole client CA bundle); each must be
    /// a CA of the bundle, or it could never anchor a path.
    private static func facilityAttributeAnchors(_ settings: TLSSettings, roots: [Certificate]) throws -> [Certificate] {
        guard let path = settings.facilityAttributeCAPath else { return roots }
        let anchors = try read(path, what: "facility attribute CA bundle") {
            try NIOSSLCertificate.fromPEMFile($0).map { try Certificate(derEncoded: $0.toDERBytes()) }
        }
        if let stranger = anchors.first(where: { !roots.contains($0) }) {
            let subject = DistinguishedNameText.logSafe(stranger.subject)
            throw TLSMaterialError(path: path, reason: "holds \(subject), which is not a CA of \(settings.clientCAPath)")
        }
        return anchors
    }

    private struct LoadedCRL {
        let crl: CertificateRevocationList
        let path: String
    }

    /// Every CRL of `paths`, each accepted against `roots`, one per CA, with its ledger entry.
    private static func acceptedCRLs(_ paths: [String], roots: [Certificate]) throws -> ([LoadedCRL], [CRLNumberLedger.Entry]) {
        var loaded: [LoadedCRL] = []
        var entries: [CRLNumberLedger.Entry] = []
        for path in paths {
            for crl in try read(path, what: "CRL", { try CertificateRevocationList.loadAll(contentsOfFile: $0) }) {
                if let problem = crl.acceptanceProblem(among: roots) {
                    throw TLSMaterialError(path: path, reason: problem)
                }
                let issuerText = DistinguishedNameText.logSafe(crl.issuer)
                guard let signer = roots.first(where: crl.isIssued(by:)) else {
                    throw TLSMaterialError(path: path, reason: "holds a CRL of \(issuerText) not signed by any CA of the bundle")
                }
                let authority = CRLNumberLedger.Authority(name: crl.issuer, key: signer.publicKey)
                if entries.contains(where: { $0.authority == authority }) {
                    throw TLSMaterialError(path: path, reason: "holds a second CRL of \(issuerText); keep only the current one")
                }
                loaded.append(LoadedCRL(crl: crl, path: path))
                entries.append(CRLNumberLedger.Entry(authority: authority, number: crl.crlNumber, path: path, issuerText: issuerText))
            }
        }
        return (loaded, entries)
    }

    private static func read<T>(_ path: String, what: String, _ body: (String) throws -> T) throws -> T {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw TLSMaterialError(path: path, reason: "\(what) is missing or not readable")
        }
        do {
            return try body(path)
        } catch let error as TLSMaterialError {
            throw error
        } catch {
            throw TLSMaterialError(path: path, reason: "is not a valid \(what) (\(error))")
        }
    }
}

/// A TLS file that cannot be used, and why.
public struct TLSMaterialError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String

    public var description: String { "\(path) \(reason)" }
}

extension TLSMaterial {
    /// The TLS 1.2 suites offered when `tls.min_version = 1.2`: ECDHE key exchange, AEAD ciphers.
    static let tls12CipherSuites = [
        "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
    ].joined(separator: ":")
}
