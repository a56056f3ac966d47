#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Parses textual IPv4 and IPv6 addresses into the network-order bytes used in a
/// subjectAltName iPAddress (4 or 16 octets).
enum IPAddressBytes {
    static func parse(_ text: String) throws -> [UInt8] {
        if let bytes = convert(text, family: AF_INET, count: 4) { return bytes }
        if let bytes = convert(text, family: AF_INET6, count: 16) { return bytes }
        throw PKIError.invalidArgument(reason: "\"\(text)\" is not an IPv4 or IPv6 address")
    }

    private static func convert(_ text: String, family: Int32, count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        let status = bytes.withUnsafeMutableBytes { buffer in
            inet_pton(family, text, buffer.baseAddress)
        }
        return status == 1 ? bytes : nil
    }
}
