import Crypto
import Foundation

/// The secret that seals the audit chain's head (the newest record's sequence number and hash)
/// with an HMAC. Kept outside the database (a file only the daemon reads, e.g. a systemd
/// credential), it lets `verify` notice what the chain alone cannot: the newest records deleted,
/// or records appended by something other than lifed. Someone who can read the key and write the
/// database can still rewrite both; someone who restores an older database together with its
/// sealed head rolls the log back undetected.
public struct AuditAnchorKey: Sendable {
    private let key: SymmetricKey

    /// At least 32 bytes of secret (e.g. `head -c 32 /dev/urandom`).
    public init(bytes: [UInt8]) throws(DomainError) {
        guard bytes.count >= 32 else {
            throw .invalidField(field: "audit.anchor_key", reason: "LENGTH", message: "the audit anchor key must hold at least 32 bytes")
        }
        key = SymmetricKey(data: bytes)
    }

    /// The key in the file at `path`; throws a message that names the file.
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DomainError.invalidField(
                field: "audit.anchor_key", reason: "UNREADABLE",
                message: "cannot read the audit anchor key \(path) (make one: head -c 32 /dev/urandom > \(path))")
        }
        try self.init(bytes: Array(data))
    }

    /// The seal of a head, lower-case hex.
    public func seal(sequence: Int64, hash: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Self.message(sequence, hash), using: key)).lowerHex
    }

    /// Whether `seal` is this key's seal of the head. (A plain comparison: the seal is read from
    /// the database by `verify`, where timing tells an attacker nothing.)
    public func opens(_ seal: String, sequence: Int64, hash: String) -> Bool {
        self.seal(sequence: sequence, hash: hash) == seal
    }

    private static func message(_ sequence: Int64, _ hash: String) -> Data {
        Data("lifed-audit-head\u{1F}\(sequence)\u{1F}\(hash)".utf8)
    }
}
