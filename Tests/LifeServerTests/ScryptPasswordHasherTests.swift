import Testing

@testable import LifeServer

@Suite("scrypt password hashes")
struct ScryptPasswordHasherTests {
    // Cheap parameters: these tests check the encoding and the comparison, not the cost.
    private let hasher = ScryptPasswordHasher(parameters: .init(log2N: 10, r: 8, p: 1), concurrency: 2)

    @Test("a hash verifies its password and no other")
    func roundTrip() async throws {
        let encoded = try await hasher.hash("Correct horse 1")
        #expect(encoded.hasPrefix("$scrypt$ln=10,r=8,p=1$"))
        #expect(try await hasher.verify("Correct horse 1", against: encoded))
        #expect(try await hasher.verify("Correct horse 2", against: encoded) == false)
    }

    @Test("every hash has its own salt")
    func salted() async throws {
        let first = try await hasher.hash("same password 1")
        let second = try await hasher.hash("same password 1")
        #expect(first != second)
    }

    @Test("hashes made with other parameters still verify")
    func parametersTravelWithTheHash() async throws {
        let old = ScryptPasswordHasher(parameters: .init(log2N: 11, r: 8, p: 2), concurrency: 1)
        let encoded = try await old.hash("Migrated 2026")
        #expect(try await hasher.verify("Migrated 2026", against: encoded))
    }

    @Test(
        "malformed or absurd encodings never verify",
        arguments: ["", "plain", "$scrypt$ln=99,r=8,p=1$AAAA$AAAA", "$argon2$x$y$z", "$scrypt$ln=10,r=8$AAAA$AAAA"])
    func malformed(_ encoded: String) async throws {
        #expect(try await hasher.verify("anything", against: encoded) == false)
    }
}
