import Foundation
import SwiftASN1
import X509

extension CertificateRevocationList {
    /// The CRL Number extension OID (RFC 5280 §5.2.3).
    static let crlNumberOID: ASN1ObjectIdentifier = [2, 5, 29, 20]

    private static let extensionsTag = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)

    /// Parses a DER-encoded `CertificateList`.
    ///
    /// - Throws: ``PKIError/malformedCRL(reason:)`` for anything that is not a well-formed CRL.
    public init(derEncoded bytes: [UInt8]) throws {
        do {
            self = try Self.decode(bytes)
        } catch let error as PKIError {
            throw error
        } catch {
            throw PKIError.malformedCRL(reason: String(describing: error))
        }
    }

    /// Parses the first PEM block labelled "X509 CRL" in `pemEncoded`; other blocks and text
    /// around them are ignored.
    ///
    /// - Throws: ``PKIError/missingPEMBlock(label:)`` when there is no such block,
    ///   ``PKIError/malformedCRL(reason:)`` when the PEM or the CRL inside it is malformed.
    public init(pemEncoded: String) throws {
        guard let first = try Self.decodeAll(pemEncoded: pemEncoded).first else {
            throw PKIError.missingPEMBlock(label: Self.pemLabel)
        }
        self = first
    }

    /// Parses every PEM block labelled "X509 CRL" in `pemEncoded` (a bundle may hold one CRL per
    /// CA). Returns an empty array when there is none.
    public static func decodeAll(pemEncoded: String) throws -> [CertificateRevocationList] {
        let documents: [PEMDocument]
        do {
            documents = try PEMDocument.parseMultiple(pemString: pemEncoded)
        } catch {
            throw PKIError.malformedCRL(reason: "bad PEM: \(error)")
        }
        return try documents.filter { $0.discriminator == pemLabel }.map { try Self(derEncoded: $0.derBytes) }
    }

    /// Parses a CRL given as DER bytes or as PEM text (detected by a "-----BEGIN" marker).
    public static func decode(derOrPEM bytes: [UInt8]) throws -> CertificateRevocationList {
        guard let all = try decodeAllIfPEM(bytes) else { return try Self(derEncoded: bytes) }
        guard let first = all.first else { throw PKIError.missingPEMBlock(label: pemLabel) }
        return first
    }

    /// Loads a CRL file that holds either DER or PEM. For PEM, the first "X509 CRL" block is used.
    public static func load(contentsOfFile path: String) throws -> CertificateRevocationList {
        try decode(derOrPEM: readFile(path))
    }

    /// Loads every CRL in a file: all "X509 CRL" blocks for PEM, the single CRL for DER.
    public static func loadAll(contentsOfFile path: String) throws -> [CertificateRevocationList] {
        let bytes = try readFile(path)
        return try decodeAllIfPEM(bytes) ?? [Self(derEncoded: bytes)]
    }

    // MARK: - Private

    private static func readFile(_ path: String) throws -> [UInt8] {
        do {
            return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw PKIError.unreadableFile(path: path, reason: error.localizedDescription)
        }
    }

    /// Nil when the bytes do not look like PEM.
    private static func decodeAllIfPEM(_ bytes: [UInt8]) throws -> [CertificateRevocationList]? {
        let marker = Array("-----BEGIN".utf8)
        guard bytes.firstRange(of: marker) != nil else { return nil }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw PKIError.malformedCRL(reason: "PEM text is not valid UTF-8")
        }
        return try decodeAll(pemEncoded: text)
    }

    private static func malformed(_ reason: String) -> PKIError {
        .malformedCRL(reason: reason)
    }

    /// CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue BIT STRING }
    private static func decode(_ bytes: [UInt8]) throws -> CertificateRevocationList {
        let root = try DER.parse(bytes)
        let (tbsNode, outerAlgorithm, signature) = try DER.sequence(root, identifier: .sequence) { nodes in
            guard let tbsNode = nodes.next() else { throw malformed("missing tbsCertList") }
            guard let algorithmNode = nodes.next() else { throw malformed("missing signatureAlgorithm") }
            let algorithm = try algorithmOID(algorithmNode)
            guard let signatureNode = nodes.next() else { throw malformed("missing signatureValue") }
            let signature = try ASN1BitString(derEncoded: signatureNode)
            return (tbsNode, algorithm, signature)
        }
        let tbs = try TBSCertList(tbsNode)
        guard tbs.signatureAlgorithm == outerAlgorithm else {
            throw malformed(
                "signature algorithm \(outerAlgorithm) differs from tbsCertList's \(tbs.signatureAlgorithm)"
            )
        }
        return CertificateRevocationList(
            derEncoded: bytes,
            version: tbs.version,
            issuer: tbs.issuer,
            thisUpdate: tbs.thisUpdate,
            nextUpdate: tbs.nextUpdate,
            revokedSerialNumbers: tbs.revoked,
            crlNumber: tbs.crlNumber,
            extensions: tbs.extensions,
            criticalEntryExtensions: tbs.criticalEntryExtensions,
            signatureAlgorithmOID: outerAlgorithm,
            tbsCertListBytes: Array(tbsNode.encodedBytes),
            signatureBytes: Array(signature.bytes),
            signaturePaddingBits: signature.paddingBits
        )
    }

    /// AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL }; returns the OID.
    private static func algorithmOID(_ node: ASN1Node) throws -> ASN1ObjectIdentifier {
        try DER.sequence(node, identifier: .sequence) { nodes in
            let oid = try ASN1ObjectIdentifier(derEncoded: &nodes)
            _ = nodes.next()
            return oid
        }
    }

    /// The fields of TBSCertList (RFC 5280 §5.1):
    ///
    ///     TBSCertList ::= SEQUENCE {
    ///         version              Version OPTIONAL,  -- if present, MUST be v2
    ///         signature            AlgorithmIdentifier,
    ///         issuer               Name,
    ///         thisUpdate           Time,
    ///         nextUpdate           Time OPTIONAL,
    ///         revokedCertificates  SEQUENCE OF SEQUENCE {
    ///             userCertificate     CertificateSerialNumber,
    ///             revocationDate      Time,
    ///             crlEntryExtensions  Extensions OPTIONAL } OPTIONAL,
    ///         crlExtensions        [0] EXPLICIT Extensions OPTIONAL }
    private struct TBSCertList {
        var version = 1
        var signatureAlgorithm: ASN1ObjectIdentifier
        var issuer: DistinguishedName
        var thisUpdate: Date
        var nextUpdate: Date?
        var revoked: [Certificate.SerialNumber: Date] = [:]
        var extensions: [Certificate.Extension] = []
        var crlNumber: Int?
        var criticalEntryExtensions: [String] = []

        init(_ node: ASN1Node) throws {
            self = try DER.sequence(node, identifier: .sequence) { nodes in
                var version = 1
                var lookahead = nodes
                if let first = lookahead.next(), first.identifier == .integer {
                    let encoded = try Int(derEncoded: first)
                    guard encoded == 1 else { throw malformed("unsupported CRL version \(encoded + 1)") }
                    version = 2
                    nodes = lookahead
                }
                guard let algorithmNode = nodes.next() else { throw malformed("missing signature") }
                guard let issuerNode = nodes.next() else { throw malformed("missing issuer") }
                guard let thisUpdateNode = nodes.next() else { throw malformed("missing thisUpdate") }
                var tbs = try TBSCertList(
                    signatureAlgorithm: algorithmOID(algorithmNode),
                    issuer: DistinguishedName(derEncoded: issuerNode),
                    thisUpdate: ASN1Time.date(from: thisUpdateNode)
                )
                tbs.version = version
                try tbs.readOptionalFields(&nodes)
                return tbs
            }
        }

        private init(signatureAlgorithm: ASN1ObjectIdentifier, issuer: DistinguishedName, thisUpdate: Date) {
            self.signatureAlgorithm = signatureAlgorithm
            self.issuer = issuer
            self.thisUpdate = thisUpdate
        }

        /// nextUpdate, revokedCertificates and crlExtensions, each optional, in that order.
        /// Anything left over makes `DER.sequence` throw.
        private mutating func readOptionalFields(_ nodes: inout ASN1NodeCollection.Iterator) throws {
            var lookahead = nodes
            if let node = lookahead.next(), ASN1Time.isTime(node) {
                nextUpdate = try ASN1Time.date(from: node)
                nodes = lookahead
            }
            lookahead = nodes
            if let node = lookahead.next(), node.identifier == .sequence {
                try readRevokedCertificates(node)
                nodes = lookahead
            }
            lookahead = nodes
            if let node = lookahead.next(), node.identifier == extensionsTag {
                extensions = try DER.explicitlyTagged(node, tagNumber: 0, tagClass: .contextSpecific) { inner in
                    try DER.sequence(of: Certificate.Extension.self, identifier: .sequence, rootNode: inner)
                }
                crlNumber = Self.crlNumber(in: extensions)
                nodes = lookahead
            }
        }

        private mutating func readRevokedCertificates(_ node: ASN1Node) throws {
            guard case .constructed(let entries) = node.content else {
                throw malformed("revokedCertificates is not a SEQUENCE")
            }
            var critical: Set<ASN1ObjectIdentifier> = []
            for entry in entries {
                let (serial, date) = try DER.sequence(entry, identifier: .sequence) { fields in
                    guard let serialNode = fields.next() else { throw malformed("revoked entry without serial") }
                    guard let dateNode = fields.next() else { throw malformed("revoked entry without date") }
                    let serial = try Self.serialNumber(serialNode)
                    let date = try ASN1Time.date(from: dateNode)
                    if let extensionsNode = fields.next() {
                        // crlEntryExtensions (reason code, invalidity date, …): not used, but a
                        // critical one changes what the entry means, so the CRL's user must know.
                        let extensions = try DER.sequence(
                            of: Certificate.Extension.self, identifier: .sequence, rootNode: extensionsNode
                        )
                        critical.formUnion(extensions.filter(\.critical).map(\.oid))
                    }
                    return (serial, date)
                }
                if let existing = revoked[serial], existing <= date { continue }
                revoked[serial] = date
            }
            criticalEntryExtensions = critical.map(\.description).sorted()
        }

        /// Serial numbers are positive INTEGERs, but some CAs issued negative ones; those are kept
        /// as their raw two's-complement bytes rather than failing the whole CRL.
        private static func serialNumber(_ node: ASN1Node) throws -> Certificate.SerialNumber {
            do {
                return Certificate.SerialNumber(bytes: try ArraySlice<UInt8>(derEncoded: node))
            } catch let error as ASN1Error where error.code == .invalidASN1IntegerEncoding {
                guard node.identifier == .integer, case .primitive(let raw) = node.content, !raw.isEmpty else {
                    throw error
                }
                return Certificate.SerialNumber(bytes: raw)
            }
        }

        /// The CRL Number as an `Int`, or nil when absent, malformed or too large.
        private static func crlNumber(in extensions: [Certificate.Extension]) -> Int? {
            guard let ext = extensions.first(where: { $0.oid == crlNumberOID }),
                let node = try? DER.parse(ext.value),
                let magnitude = try? ArraySlice<UInt8>(derEncoded: node),
                magnitude.count < MemoryLayout<Int>.size
                    || (magnitude.count == MemoryLayout<Int>.size && magnitude[magnitude.startIndex] < 0x80)
            else { return nil }
            return magnitude.reduce(0) { $0 << 8 | Int($1) }
        }
    }
}
