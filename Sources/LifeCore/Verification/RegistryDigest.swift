import Crypto

/// What an insurer's qualification records add up to, whatever their order: a sum of each
/// record's SHA-256 (first 128 bits, wrapping) and their count. An import compares it with the
/// stored insurer's to leave unchanged insurers alone.
public struct RegistryDigest: Sendable, Hashable, CustomStringConvertible {
    public private(set) var count: Int64 = 0
    private var high: UInt64 = 0
    private var low: UInt64 = 0

    public init() {}

    /// The digest as stored: `description`.
    public init?(stored text: String) {
        let parts = text.split(separator: ":")
        guard parts.count == 3, let count = Int64(parts[0]), let high = UInt64(parts[1], radix: 16), let low = UInt64(parts[2], radix: 16)
        else { return nil }
        (self.count, self.high, self.low) = (count, high, low)
    }

    public mutating func add(_ record: QualificationRecord) {
        let canonical = [
            record.insuredNumber.rawValue, record.birthDate.description, String(record.sex.rawValue),
            record.validFrom?.description ?? "", record.validUntil?.description ?? "",
        ].joined(separator: "|")
        var words = (UInt64(0), UInt64(0))
        SHA256.hash(data: Array(canonical.utf8)).withUnsafeBytes { bytes in
            words = (bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self), bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        }
        high &+= words.0
        low &+= words.1
        count += 1
    }

    public var description: String { "\(count):\(String(high, radix: 16)):\(String(low, radix: 16))" }
}
