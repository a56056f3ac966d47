import Crypto
import Foundation
import LifeCore

/// Opaque keyset page tokens: the cursor, bound by an HMAC to the filter and the facility that
/// made it. A token from another filter, another facility, or edited by hand is refused. The
/// key is made at start, so tokens do not outlive the daemon process.
public struct PageTokenCodec: Sendable {
    private let key: SymmetricKey

    public init(key: SymmetricKey = SymmetricKey(size: .bits256)) {
        self.key = key
    }

    public func encode(_ cursor: RecipientCursor, scope: String) -> String {
        encode(payload: cursor.id + "\u{1F}" + cursor.kana, scope: scope)
    }

    /// The cursor in `token`, or `invalidField(page.page_token)`.
    public func decode(_ token: String, scope: String) throws(DomainError) -> RecipientCursor {
        let text = try decode(payload: token, scope: scope)
        guard let separator = text.firstIndex(of: "\u{1F}") else { throw Self.invalid }
        return RecipientCursor(kana: String(text[text.index(after: separator)...]), id: String(text[..<separator]))
    }

    /// A token carrying `payload`, bound to `scope` (the filter, and who may use it).
    public func encode(payload: String, scope: String) -> String {
        let bytes = Data(payload.utf8)
        let mac = HMAC<SHA256>.authenticationCode(for: bytes + Data(scope.utf8), using: key)
        return (Data(mac) + bytes).base64URLEncoded
    }

    /// The payload of `token`, or `invalidField(page.page_token)` when it was not made for `scope`.
    public func decode(payload token: String, scope: String) throws(DomainError) -> String {
        guard token.utf8.count <= 2048, let data = Data(base64URLEncoded: token), data.count > 32 else { throw Self.invalid }
        let mac = data.prefix(32)
        let payload = data.dropFirst(32)
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data(payload) + Data(scope.utf8), using: key),
            let text = String(data: payload, encoding: .utf8)
        else { throw Self.invalid }
        return text
    }

    private static let invalid = DomainError.invalidField(
        field: "page.page_token", reason: "INVALID", message: "page_token was not issued for this listing (filters must stay the same)")
}
