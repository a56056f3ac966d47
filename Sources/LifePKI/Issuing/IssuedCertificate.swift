import Crypto
import SwiftASN1
import X509

/// A certificate together with its private key, plus the encodings a TLS configuration or a
/// `lifed --dev` data folder needs.
public struct IssuedCertificate: Sendable {
    /// The certificate.
    public let certificate: Certificate

    /// The certificate's private key.
    public let privateKey: Certificate.PrivateKey

    /// The DER encoding of the certificate.
    public let derEncoded: [UInt8]

    /// The certificate as PEM ("CERTIFICATE"), ending with a newline.
    public let certificatePEM: String

    /// The private key as PKCS#8 PEM ("PRIVATE KEY"), ending with a newline.
    public let privateKeyPEM: String

    /// Lower-case hex SHA-256 over the certificate's DER encoding, without separators.
    public let fingerprintSHA256: String

    /// Pairs a certificate with its private key.
    ///
    /// - Throws: ``PKIError/keyMismatch`` when the key does not belong to the certificate, or an
    ///   encoding error.
    public init(certificate: Certificate, privateKey: Certificate.PrivateKey) throws {
        guard privateKey.publicKey == certificate.publicKey else { throw PKIError.keyMismatch }
        self.certificate = certificate
        self.privateKey = privateKey
        self.derEncoded = try DEREncoding.bytes(of: certificate)
        self.certificatePEM =
            PEMDocument(type: Certificate.defaultPEMDiscriminator, derBytes: derEncoded).pemString + "\n"
        self.privateKeyPEM = try privateKey.serializeAsPEM().pemString + "\n"
        self.fingerprintSHA256 = Hex.encode(SHA256.hash(data: derEncoded))
    }

    /// Reads a certificate and its private key from PEM (the key as PKCS#8, SEC1 or PKCS#1).
    public init(certificatePEM: String, privateKeyPEM: String) throws {
        try self.init(
            certificate: Certificate(pemEncoded: certificatePEM),
            privateKey: Certificate.PrivateKey(pemEncoded: privateKeyPEM)
        )
    }

    /// The certificate's serial number.
    public var serialNumber: Certificate.SerialNumber {
        certificate.serialNumber
    }
}
