import Crypto
import SwiftASN1
import X509

/// Maps between signature algorithm OIDs (as found in CRLs) and swift-certificates'
/// `Certificate.SignatureAlgorithm`, and writes AlgorithmIdentifier structures.
///
/// swift-certificates keeps its own AlgorithmIdentifier type internal, so CRL code needs this.
enum SignatureAlgorithmIdentifier {
    static let ecdsaWithSHA256: ASN1ObjectIdentifier = [1, 2, 840, 10_045, 4, 3, 2]
    static let ecdsaWithSHA384: ASN1ObjectIdentifier = [1, 2, 840, 10_045, 4, 3, 3]
    static let ecdsaWithSHA512: ASN1ObjectIdentifier = [1, 2, 840, 10_045, 4, 3, 4]
    static let sha1WithRSAEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 1, 5]
    static let sha256WithRSAEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 1, 11]
    static let sha384WithRSAEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 1, 12]
    static let sha512WithRSAEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 1, 13]
    static let ed25519: ASN1ObjectIdentifier = [1, 3, 101, 112]

    /// The algorithm for an OID, or nil when LifePKI cannot verify signatures made with it
    /// (RSA-PSS, DSA, …).
    static func algorithm(for oid: ASN1ObjectIdentifier) -> Certificate.SignatureAlgorithm? {
        switch oid {
        case ecdsaWithSHA256: return .ecdsaWithSHA256
        case ecdsaWithSHA384: return .ecdsaWithSHA384
        case ecdsaWithSHA512: return .ecdsaWithSHA512
        case sha1WithRSAEncryption: return .sha1WithRSAEncryption
        case sha256WithRSAEncryption: return .sha256WithRSAEncryption
        case sha384WithRSAEncryption: return .sha384WithRSAEncryption
        case sha512WithRSAEncryption: return .sha512WithRSAEncryption
        case ed25519: return .ed25519
        default: return nil
        }
    }

    /// The OID of an algorithm this module can produce.
    static func oid(for algorithm: Certificate.SignatureAlgorithm) throws -> ASN1ObjectIdentifier {
        switch algorithm {
        case .ecdsaWithSHA256: return ecdsaWithSHA256
        case .ecdsaWithSHA384: return ecdsaWithSHA384
        case .ecdsaWithSHA512: return ecdsaWithSHA512
        case .sha1WithRSAEncryption: return sha1WithRSAEncryption
        case .sha256WithRSAEncryption: return sha256WithRSAEncryption
        case .sha384WithRSAEncryption: return sha384WithRSAEncryption
        case .sha512WithRSAEncryption: return sha512WithRSAEncryption
        case .ed25519: return ed25519
        default: throw PKIError.unsupportedKey(reason: "no OID known for \(algorithm)")
        }
    }

    /// The algorithm to sign with for a key: ECDSA with the hash matching the curve size,
    /// sha256WithRSAEncryption for RSA, Ed25519 for Ed25519.
    static func preferredAlgorithm(for key: Certificate.PrivateKey) throws -> Certificate.SignatureAlgorithm {
        let publicKey = key.publicKey
        if P256.Signing.PublicKey(publicKey) != nil { return .ecdsaWithSHA256 }
        if P384.Signing.PublicKey(publicKey) != nil { return .ecdsaWithSHA384 }
        if P521.Signing.PublicKey(publicKey) != nil { return .ecdsaWithSHA512 }
        if Curve25519.Signing.PublicKey(publicKey) != nil { return .ed25519 }
        if key.supportedSignatureAlgorithms.contains(.sha256WithRSAEncryption) { return .sha256WithRSAEncryption }
        throw PKIError.unsupportedKey(reason: "cannot choose a signature algorithm for \(key)")
    }

    /// Writes `AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL }`.
    /// RSA algorithms carry an explicit NULL (RFC 4055 §5); ECDSA and Ed25519 omit parameters.
    static func serialize(_ algorithm: Certificate.SignatureAlgorithm, into coder: inout DER.Serializer) throws {
        let oid = try oid(for: algorithm)
        try coder.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(oid)
            switch algorithm {
            case .sha1WithRSAEncryption, .sha256WithRSAEncryption, .sha384WithRSAEncryption,
                .sha512WithRSAEncryption:
                try coder.serialize(ASN1Null())
            default:
                break
            }
        }
    }
}
