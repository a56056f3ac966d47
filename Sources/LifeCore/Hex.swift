extension Sequence<UInt8> {
    /// Lower-case hex, two digits a byte (how fingerprints and hashes are written everywhere).
    public var lowerHex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
