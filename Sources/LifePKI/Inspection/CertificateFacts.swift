import Crypto
import SwiftASN1
import X509

/// Facts about one certificate that the server logs, registers and matches on: fingerprint,
/// serial number, subject text and subject attributes such as the facility number.
public struct CertificateFacts: Sendable {
    /// The subject serialNumber attribute type (X.520, OID 2.5.4.5). swift-certificates has no
    /// named constant for it.
    public static let serialNumberAttributeOID: ASN1ObjectIdentifier = [2, 5, 4, 5]

    /// The certificate.
    public let certificate: Certificate

    /// Its DER encoding.
    public let derEncoded: [UInt8]

    /// Facts about a parsed certificate.
    public init(_ certificate: Certificate) throws {
        self.certificate = certificate
        self.derEncoded = try DEREncoding.bytes(of: certificate)
    }

    /// Parses a DER-encoded certificate (for example a TLS peer certificate).
    public init(derEncoded: [UInt8]) throws {
        self.certificate = try Certificate(derEncoded: derEncoded)
        self.derEncoded = derEncoded
    }

    /// Lower-case hex SHA-256 over `derEncoded`, without separators (64 characters).
    public static func fingerprintSHA256(derEncoded: [UInt8]) -> String {
        Hex.encode(SHA256.hash(data: derEncoded))
    }

    /// Lower-case hex SHA-256 fingerprint of the certificate.
    public var fingerprintSHA256: String {
        Self.fingerprintSHA256(derEncoded: derEncoded)
    }

    /// The serial number as lower-case hex of its minimal big-endian magnitude, without
    /// separators or a sign byte ("00" for zero).
    public var serialNumberHex: String {
        let bytes = certificate.serialNumber.bytes
        return bytes.isEmpty ? "00" : Hex.encode(bytes)
    }

    /// The subject as an RFC 4514 string, e.g. `serialNumber=1312345678,CN=Terminal 1,O=Example`.
    public var subject: String {
        DistinguishedNameText.rfc4514(certificate.subject)
    }

    /// The issuer as an RFC 4514 string.
    public var issuer: String {
        DistinguishedNameText.rfc4514(certificate.issuer)
    }

    /// The first subject common name, if any.
    public var commonName: String? {
        subjectAttribute(.RDNAttributeType.commonName)
    }

    /// The first subject serialNumber attribute (2.5.4.5), where facility certificates carry the
    /// facility number.
    public var subjectSerialNumber: String? {
        subjectAttribute(Self.serialNumberAttributeOID)
    }

    /// The first value of a subject attribute, in encoding order, if it is a character string.
    public func subjectAttribute(_ oid: ASN1ObjectIdentifier) -> String? {
        subjectAttributes(oid).first
    }

    /// The first value of a subject attribute named by a dotted OID such as "2.5.4.5".
    ///
    /// - Throws: ``PKIError/invalidArgument(reason:)`` when `oid` is not a dotted OID.
    public func subjectAttribute(oid: String) throws -> String? {
        subjectAttribute(try Self.objectIdentifier(oid))
    }

    /// Every character-string value of a subject attribute, in encoding order. More than one
    /// value means the subject is ambiguous for that attribute.
    public func subjectAttributes(_ oid: ASN1ObjectIdentifier) -> [String] {
        DistinguishedNameText.values(of: oid, in: certificate.subject)
    }

    /// Parses a dotted OID string (for configuration values naming a subject attribute).
    ///
    /// - Throws: ``PKIError/invalidArgument(reason:)`` when it is not a valid OID.
    public static func objectIdentifier(_ dotted: String) throws -> ASN1ObjectIdentifier {
        do {
            return try ASN1ObjectIdentifier(dotRepresentation: dotted)
        } catch {
            throw PKIError.invalidArgument(reason: "\"\(dotted)\" is not a dotted object identifier")
        }
    }
}
