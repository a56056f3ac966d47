import X509

/// Random certificate serial numbers.
enum SerialNumberGenerator {
    /// A positive 20-octet serial (the RFC 5280 maximum) with 158 random bits from the system
    /// CSPRNG. The top bit is cleared so the INTEGER needs no padding byte, and the next bit is
    /// set so the length is always 20.
    static func random() -> Certificate.SerialNumber {
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<20).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        bytes[0] = (bytes[0] & 0x3F) | 0x40
        return Certificate.SerialNumber(bytes: bytes)
    }
}
