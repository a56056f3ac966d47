/// Turns passwords into stored hashes and checks them. Implementations are slow on purpose
/// (memory-hard KDF) and must not block the threads that serve connections.
public protocol PasswordHasher: Sendable {
    /// A self-describing encoding of a new salted hash of `password`.
    func hash(_ password: String) async throws -> String
    /// Whether `password` matches `encoded`. Takes as long for a wrong password as for a right one.
    func verify(_ password: String, against encoded: String) async throws -> Bool
}
