/// Errors thrown by LifePKI.
///
/// Every parsing failure surfaces as one of these cases with a human-readable reason; bad input
/// never traps.
public enum PKIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bytes are not a well-formed RFC 5280 CertificateList.
    case malformedCRL(reason: String)
    /// The text holds no PEM block with the expected label (for example "X509 CRL").
    case missingPEMBlock(label: String)
    /// A file could not be read.
    case unreadableFile(path: String, reason: String)
    /// The key type cannot be used for the requested operation.
    case unsupportedKey(reason: String)
    /// The private key does not belong to the certificate it was paired with.
    case keyMismatch
    /// A caller-supplied value is invalid (bad IP address, non-printable facility number, …).
    case invalidArgument(reason: String)

    /// A one-line explanation suitable for logs and startup errors.
    public var description: String {
        switch self {
        case .malformedCRL(let reason):
            return "malformed CRL: \(reason)"
        case .missingPEMBlock(let label):
            return "no PEM block labelled \"\(label)\" found"
        case .unreadableFile(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .unsupportedKey(let reason):
            return "unsupported key: \(reason)"
        case .keyMismatch:
            return "the private key does not match the certificate's public key"
        case .invalidArgument(let reason):
            return "invalid argument: \(reason)"
        }
    }
}
