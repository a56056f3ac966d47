import SwiftASN1
import X509

/// Text forms of distinguished names and their attribute values.
public enum DistinguishedNameText {
    /// Short names used in RFC 4514 strings; other types are written as dotted OIDs.
    private static let shortNames: [ASN1ObjectIdentifier: String] = [
        [2, 5, 4, 3]: "CN",
        [2, 5, 4, 4]: "SN",
        [2, 5, 4, 5]: "serialNumber",
        [2, 5, 4, 6]: "C",
        [2, 5, 4, 7]: "L",
        [2, 5, 4, 8]: "ST",
        [2, 5, 4, 9]: "STREET",
        [2, 5, 4, 10]: "O",
        [2, 5, 4, 11]: "OU",
        [2, 5, 4, 12]: "title",
        [2, 5, 4, 42]: "GN",
        [0, 9, 2342, 19_200_300, 100, 1, 1]: "UID",
        [0, 9, 2342, 19_200_300, 100, 1, 25]: "DC",
        [1, 2, 840, 113_549, 1, 9, 1]: "emailAddress",
    ]

    /// The RFC 4514 string: RDNs last-to-first joined by ",", multi-valued RDNs joined by "+",
    /// special characters escaped, values that are not character strings as "#" + DER hex.
    static func rfc4514(_ name: DistinguishedName) -> String {
        name.reversed().map { rdn in
            rdn.map { attribute in
                let type = shortNames[attribute.type] ?? attribute.type.description
                return "\(type)=\(valueText(attribute.value))"
            }.joined(separator: "+")
        }.joined(separator: ",")
    }

    /// The RFC 4514 string made safe for a log line (see the `String` overload). A subject is
    /// chosen by whoever made the certificate, including an attacker.
    public static func logSafe(_ name: DistinguishedName, limit: Int = 256) -> String {
        logSafe(rfc4514(name), limit: limit)
    }

    /// Text made safe for a log line: control and format characters (newlines, terminal
    /// escapes, bidirectional overrides) written as `\u{…}`, and at most `limit` characters.
    public static func logSafe(_ text: String, limit: Int = 256) -> String {
        var result = ""
        for (index, scalar) in text.unicodeScalars.enumerated() {
            if index >= limit {
                result += "…"
                break
            }
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .unassigned, .privateUse:
                result += "\\u{\(String(scalar.value, radix: 16))}"
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// Every value of attribute type `oid`, as text, in encoding order (most significant RDN
    /// first). Values that are not character strings are skipped.
    static func values(of oid: ASN1ObjectIdentifier, in name: DistinguishedName) -> [String] {
        name.flatMap { rdn in
            rdn.filter { $0.type == oid }.compactMap { string($0.value) }
        }
    }

    /// The text of a character-string attribute value (PrintableString, UTF8String, IA5String,
    /// BMPString, UniversalString, VisibleString, TeletexString read as Latin-1), or nil.
    static func string(_ value: RelativeDistinguishedName.Attribute.Value) -> String? {
        if let text = String(value) { return text }
        let any = ASN1Any(value)
        if let bmp = try? ASN1BMPString(asn1Any: any) {
            let units = stride(from: bmp.bytes.startIndex, to: bmp.bytes.endIndex - 1, by: 2).map {
                UInt16(bmp.bytes[$0]) << 8 | UInt16(bmp.bytes[$0 + 1])
            }
            return String(decoding: units, as: UTF16.self)
        }
        if let universal = try? ASN1UniversalString(asn1Any: any) {
            let scalars = stride(from: universal.bytes.startIndex, to: universal.bytes.endIndex - 3, by: 4).map {
                universal.bytes[$0..<($0 + 4)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            }
            return String(String.UnicodeScalarView(scalars.map { Unicode.Scalar($0) ?? "\u{FFFD}" }))
        }
        if let visible = try? ASN1VisibleString(asn1Any: any) {
            return String(decoding: visible.bytes, as: UTF8.self)
        }
        if let teletex = try? ASN1TeletexString(asn1Any: any) {
            return String(String.UnicodeScalarView(teletex.bytes.map { Unicode.Scalar($0) }))
        }
        return nil
    }

    private static func valueText(_ value: RelativeDistinguishedName.Attribute.Value) -> String {
        if let text = string(value) { return escape(text) }
        let der = (try? DEREncoding.bytes(of: ASN1Any(value))) ?? []
        return "#" + Hex.encode(der)
    }

    /// RFC 4514 §2.4 escaping.
    static func escape(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var result = ""
        for (index, scalar) in scalars.enumerated() {
            switch scalar {
            case "\"", "+", ",", ";", "<", ">", "\\":
                result += "\\\(scalar)"
            case "\0":
                result += "\\00"
            case "#" where index == 0:
                result += "\\#"
            case " " where index == 0 || index == scalars.count - 1:
                result += "\\ "
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
