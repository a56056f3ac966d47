import SwiftASN1

/// Small DER serialization shortcuts.
enum DEREncoding {
    /// The DER bytes of one element.
    static func bytes<Element: DERSerializable>(of element: Element) throws -> [UInt8] {
        var coder = DER.Serializer()
        try coder.serialize(element)
        return coder.serializedBytes
    }

    /// The DER bytes written by `body`.
    static func bytes(_ body: (inout DER.Serializer) throws -> Void) rethrows -> [UInt8] {
        var coder = DER.Serializer()
        try body(&coder)
        return coder.serializedBytes
    }
}
