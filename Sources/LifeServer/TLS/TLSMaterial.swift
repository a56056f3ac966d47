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

    /// Whether this material's CRLs revoke the certificate a TLS peer was admitted with.
    public func revokes(_ peer: PeerIdentity) -> Bool {
        guard case .tls(let tlsPeer) = peer else { return false }
        return verifier.isRevoked(certificateDER: tlsPeer.certificateDER)
    }

    /// Loads and cross-checks every file; the error names the file and what is wrong with it.
    public static func load(_ settings: TLSSettings) throws -> TLSMaterial {
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
        let crls = try settings.crlPaths.flatMap { path in
            let crls = try read(path, what: "CRL") { try CertificateRevocationList.loadAll(contentsOfFile: $0) }
            for crl in crls where !roots.contains(where: { $0.subject == crl.issuer && crl.isSignatureValid(issuer: $0) }) {
                throw TLSMaterialError(path: path, reason: "holds a CRL of \(crl.issuer) not signed by any CA in \(settings.clientCAPath)")
            }
            return crls
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) },
            privateKey: .privateKey(key)
        )
        configuration.minimumTLSVersion = settings.allowTLS12 ? .tlsv12 : .tlsv13
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
        return TLSMaterial(
            context: context,
            verifier: ClientCertificateVerifier(roots: roots, crls: crls),
            serverCertificateNotAfter: serverCertificate.notValidAfter,
            crlCount: crls.count
        )
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
