import Foundation
import LifePKI
import X509

/// Certificates made at test time: a CA with a server certificate and client certificates in
/// every state the TLS listener must handle, plus a stranger CA.
public struct TestPKI: Sendable {
    public let folder: TemporaryDirectory
    public let ca: CertificateAuthority
    public let stranger: CertificateAuthority

    /// Names of the client identities written under the folder as `<name>.pem` / `<name>-key.pem`.
    public enum Client: String, CaseIterable, Sendable {
        case facilityA = "facility-a"
        /// A second terminal of facility A: another certificate with the same facility number.
        case facilityA2 = "facility-a2"
        case facilityB = "facility-b"
        case expired = "expired"
        case revoked = "revoked"
        case unknownCA = "unknown-ca"
        /// Valid and of the CA, but its subject names no facility.
        case unregistered = "unregistered"
    }

    public private(set) var issued: [Client: IssuedCertificate] = [:]

    public init(folder: TemporaryDirectory) throws {
        self.folder = folder
        ca = try CertificateAuthority.create(commonName: "lifed test CA")
        stranger = try CertificateAuthority.create(commonName: "some other CA")
        try folder.write(ca.certificatePEM, to: "ca.pem")
        let server = try ca.issueServerCertificate(commonName: "localhost", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
        try folder.write(server.certificatePEM, to: "server.pem")
        try folder.write(server.privateKeyPEM, to: "server-key.pem")
        let now = Date()
        issued[.facilityA] = try ca.issueClientCertificate(commonName: "Facility A", organization: "A", facilityNumber: "1312345679")
        issued[.facilityA2] = try ca.issueClientCertificate(
            commonName: "Facility A, terminal 2", organization: "A", facilityNumber: "1312345679")
        issued[.facilityB] = try ca.issueClientCertificate(commonName: "Facility B", organization: "B", facilityNumber: "2712345673")
        issued[.expired] = try ca.issueClientCertificate(
            commonName: "Expired",
            organization: nil,
            facilityNumber: nil,
            validity: now.addingTimeInterval(-400 * 86400)...now.addingTimeInterval(-35 * 86400)
        )
        issued[.revoked] = try ca.issueClientCertificate(commonName: "Revoked", organization: nil, facilityNumber: nil)
        issued[.unknownCA] = try stranger.issueClientCertificate(commonName: "Stranger", organization: nil, facilityNumber: nil)
        issued[.unregistered] = try ca.issueClientCertificate(
            commonName: "Terminal without facility", organization: nil, facilityNumber: nil)
        for (client, certificate) in issued {
            try folder.write(certificate.certificatePEM, to: "\(client.rawValue).pem")
            try folder.write(certificate.privateKeyPEM, to: "\(client.rawValue)-key.pem")
        }
        try writeCRL(revoking: [.revoked], number: 1)
    }

    /// Writes crl.pem revoking the given clients.
    public func writeCRL(revoking clients: [Client], number: Int) throws {
        let der = try ca.makeCRL(
            revoking: clients.compactMap { issued[$0]?.certificate.serialNumber },
            crlNumber: number,
            nextUpdate: Date().addingTimeInterval(7 * 86400)
        )
        try folder.write(CertificateRevocationList.pemEncoded(derEncoded: der), to: "crl.pem")
    }

    public func certificatePath(_ client: Client) -> String { folder.file("\(client.rawValue).pem") }
    public func keyPath(_ client: Client) -> String { folder.file("\(client.rawValue)-key.pem") }
}
