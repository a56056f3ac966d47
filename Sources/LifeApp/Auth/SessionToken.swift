import Crypto
import Foundation
import LifeCore

/// Session tokens: 256 random bits from the system's secure generator, sent to the client once
/// as base64url; stored only as their SHA-256.
public enum SessionToken {
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: 32)
        for index in bytes.indices { bytes[index] = generator.next() }
        return Data(bytes).base64URLEncoded
    }

    /// The stored form: SHA-256 of the token's UTF-8, lower-case hex.
    public static func hash(_ token: String) -> String {
        SHA256.hash(data: Array(token.utf8)).lowerHex
    }

    /// The token in an `authorization: Bearer <token>` metadata value.
    public static func bearer(in metadata: [String: String]) -> String? {
        guard let value = metadata["authorization"], value.hasPrefix("Bearer ") else { return nil }
        let token = value.dropFirst("Bearer ".count)
        return token.isEmpty || token.count > 256 ? nil : String(token)
    }
}
