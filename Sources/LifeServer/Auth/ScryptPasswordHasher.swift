import Crypto
import CryptoExtras
import Foundation
import LifeCore
import NIOPosix

/// scrypt password hashes, encoded `$scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash>` (base64), so
/// stored hashes keep verifying after the parameters change.
///
/// Parameters: OWASP's Password Storage Cheat Sheet lists scrypt configurations of equal strength
/// (N=2^17 r=8 p=1, N=2^16 r=8 p=2, N=2^15 r=8 p=3, N=2^14 r=8 p=5, N=2^13 r=8 p=10). The default
/// is N=2^15, r=8, p=3: the same work as N=2^17 but 32 MiB per hash instead of 128 MiB, so two
/// hashes at once stay far below the daemon's memory (≈ 300 ms of CPU per hash here). Salt: 16
/// random bytes per hash; output 32 bytes.
///
/// Hashing runs on a dedicated pool of `concurrency` threads, never on the event loops, so logins
/// cannot stall other calls; further logins wait their turn.
public final class ScryptPasswordHasher: PasswordHasher {
    public struct Parameters: Sendable, Hashable {
        public var log2N: Int
        public var r: Int
        public var p: Int

        public init(log2N: Int, r: Int, p: Int) {
            self.log2N = log2N
            self.r = r
            self.p = p
        }

        /// Parses `ln=<log2 N>,r=<r>,p=<p>` (the form stored in hashes and used in the
        /// configuration); nil unless exactly those three fields are whole numbers within
        /// ln 1…24, r 1…32, p 1…64.
        public init?(_ text: some StringProtocol) {
            var values: [String: Int] = [:]
            for pair in text.split(separator: ",") {
                let parts = pair.split(separator: "=").map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, let value = Int(parts[1]), values.updateValue(value, forKey: parts[0]) == nil else { return nil }
            }
            guard values.count == 3, let log2N = values["ln"], let r = values["r"], let p = values["p"],
                (1...24).contains(log2N), (1...32).contains(r), (1...64).contains(p)
            else { return nil }
            self.init(log2N: log2N, r: r, p: p)
        }

        /// OWASP-equivalent default (see the type's documentation).
        public static let owasp = Parameters(log2N: 15, r: 8, p: 3)
    }

    private let parameters: Parameters
    private let pool: NIOThreadPool

    public init(parameters: Parameters = .owasp, concurrency: Int) {
        self.parameters = parameters
        pool = NIOThreadPool(numberOfThreads: max(1, concurrency))
        pool.start()
    }

    deinit {
        pool.shutdownGracefully { _ in }
    }

    public func hash(_ password: String) async throws -> String {
        var salt = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()
        for index in salt.indices { salt[index] = generator.next() }
        let parameters = self.parameters
        let key = try await derive(password, salt: salt, parameters: parameters)
        return "$scrypt$ln=\(parameters.log2N),r=\(parameters.r),p=\(parameters.p)$"
            + Data(salt).base64EncodedString() + "$" + Data(key).base64EncodedString()
    }

    public func verify(_ password: String, against encoded: String) async throws -> Bool {
        guard let (parameters, salt, expected) = Self.decode(encoded) else { return false }
        let key = try await derive(password, salt: salt, parameters: parameters)
        // SymmetricKey compares in constant time.
        return SymmetricKey(data: key) == SymmetricKey(data: expected)
    }

    private func derive(_ password: String, salt: [UInt8], parameters: Parameters) async throws -> [UInt8] {
        try await pool.runIfActive {
            let key = try KDF.Scrypt.deriveKey(
                from: Array(password.utf8),
                salt: salt,
                outputByteCount: 32,
                rounds: 1 << parameters.log2N,
                blockSize: parameters.r,
                parallelism: parameters.p
            )
            return key.withUnsafeBytes { Array($0) }
        }
    }

    static func decode(_ encoded: String) -> (Parameters, [UInt8], [UInt8])? {
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: true)
        guard parts.count == 4, parts[0] == "scrypt", let parameters = Parameters(parts[1]),
            let salt = Data(base64Encoded: String(parts[2])), let hash = Data(base64Encoded: String(parts[3]))
        else { return nil }
        return (parameters, Array(salt), Array(hash))
    }
}
