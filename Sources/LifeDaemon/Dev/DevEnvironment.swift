import Foundation
import LifePKI

#if canImport(Glibc)
    import Glibc
#endif

/// The `lifed --dev` layout: made once under one folder, reused on later runs.
///
///     lifed-dev/
///       lifed.conf              the daemon's configuration (edit freely)
///       lifectl.conf            where lifectl finds this daemon (written at each start)
///       lifed.sock              the admin Unix socket
///       data/                   the data folder
///       pki/ca.pem, ca-key.pem  development CA (never use in production)
///       pki/server.pem, server-key.pem
///       pki/facility-<number>.pem, -key.pem   sample facility client certificates
///       pki/crl.pem             CRL of the CA (empty at first)
public struct DevEnvironment: Sendable {
    /// Sample facilities (fictional numbers that pass the 事業所番号 check digit).
    public static let sampleFacilities = [
        (number: "1312345679", name: "開発用サンプル事業所A"),
        (number: "2712345673", name: "開発用サンプル事業所B"),
    ]

    public let folder: String
    public var configPath: String { folder + "/lifed.conf" }
    public var clientConfigPath: String { folder + "/lifectl.conf" }
    public var pki: String { folder + "/pki" }
    /// The key that seals the audit chain's head: beside the data folder, not in it.
    public var auditAnchorKeyPath: String { folder + "/audit-anchor.key" }

    /// Creates what is missing and returns the environment.
    public static func prepare(folder: String, tlsPort: Int) throws -> DevEnvironment {
        let absolute = URL(fileURLWithPath: folder).standardizedFileURL.path
        let environment = DevEnvironment(folder: absolute)
        let files = FileManager.default
        try files.createDirectory(atPath: environment.pki, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try files.createDirectory(atPath: absolute + "/data", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if !files.fileExists(atPath: environment.pki + "/ca.pem") {
            try environment.issueCertificates()
        }
        if !files.fileExists(atPath: environment.auditAnchorKeyPath) {
            var generator = SystemRandomNumberGenerator()
            let key = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            try Data(key).write(to: URL(fileURLWithPath: environment.auditAnchorKeyPath), options: .atomic)
            try files.setAttributes([.posixPermissions: 0o600], ofItemAtPath: environment.auditAnchorKeyPath)
        }
        if !files.fileExists(atPath: environment.configPath) {
            try environment.writeConfig(tlsPort: tlsPort)
        }
        return environment
    }

    /// What `lifed --dev` prints at start.
    public var summary: String {
        let facilities =
            Self.sampleFacilities.map { "  pki/facility-\($0.number).pem (+ -key.pem)  \($0.name)" } + [
                "  pki/facility-\(Self.sampleFacilities[0].number)-terminal2.pem (+ -key.pem)  a second terminal of \(Self.sampleFacilities[0].name)"
            ]
        return """
            lifed --dev: development environment in \(folder)
              lifed.conf    configuration in use
              lifed.sock    admin Unix socket (lifectl uses it from this folder)
              data/         data folder
              pki/ca.pem    development CA; pki/server.pem server certificate; pki/crl.pem CRL
            \(facilities.joined(separator: "\n"))
            Try: lifectl probe        (from \(URL(fileURLWithPath: folder).deletingLastPathComponent().path))
                 lifectl probe --tls  (mutual TLS with the first sample facility's certificate)
            """
    }

    /// Records where this daemon listens, for lifectl.
    public func writeClientConfig(socket: String, tlsAddress: String?) throws {
        let first = Self.sampleFacilities[0].number
        var lines = [
            "# Written by lifed --dev at each start: where lifectl finds this daemon.",
            "socket = \(socket)",
        ]
        if let tlsAddress {
            lines += [
                "tls = \(tlsAddress)",
                "ca = \(pki)/ca.pem",
                "cert = \(pki)/facility-\(first).pem",
                "key = \(pki)/facility-\(first)-key.pem",
            ]
        }
        try write(lines.joined(separator: "\n") + "\n", to: clientConfigPath, mode: 0o600)
    }

    private func issueCertificates() throws {
        let ca = try CertificateAuthority.create(commonName: "lifed development CA (not for production)")
        try write(ca.certificatePEM, to: pki + "/ca.pem", mode: 0o644)
        try write(ca.privateKeyPEM, to: pki + "/ca-key.pem", mode: 0o600)
        let server = try ca.issueServerCertificate(
            commonName: "localhost",
            dnsNames: ["localhost"],
            ipAddresses: ["127.0.0.1", "::1"]
        )
        try write(server.certificatePEM, to: pki + "/server.pem", mode: 0o644)
        try write(server.privateKeyPEM, to: pki + "/server-key.pem", mode: 0o600)
        for facility in Self.sampleFacilities {
            let client = try ca.issueClientCertificate(
                commonName: facility.name,
                organization: facility.name,
                facilityNumber: facility.number
            )
            try write(client.certificatePEM, to: pki + "/facility-\(facility.number).pem", mode: 0o644)
            try write(client.privateKeyPEM, to: pki + "/facility-\(facility.number)-key.pem", mode: 0o600)
        }
        // A second terminal of the first facility: another certificate with the same number.
        let first = Self.sampleFacilities[0]
        let second = try ca.issueClientCertificate(
            commonName: first.name + " 端末2", organization: first.name, facilityNumber: first.number)
        try write(second.certificatePEM, to: pki + "/facility-\(first.number)-terminal2.pem", mode: 0o644)
        try write(second.privateKeyPEM, to: pki + "/facility-\(first.number)-terminal2-key.pem", mode: 0o600)
        let crl = try ca.makeCRL(revoking: [], crlNumber: 1, nextUpdate: Date().addingTimeInterval(365 * 86400))
        try write(CertificateRevocationList.pemEncoded(derEncoded: crl), to: pki + "/crl.pem", mode: 0o644)
    }

    private func writeConfig(tlsPort: Int) throws {
        let text = """
            # lifed --dev configuration (made once; edit freely). Keys: Systemd/lifed.conf.example.
            data_dir = \(folder)/data
            unix.path = \(folder)/lifed.sock
            unix.mode = 0600
            unix.allow_users = \(getuid())
            unix.allow_groups =
            tls.listen = 127.0.0.1:\(tlsPort)
            tls.certificate = \(pki)/server.pem
            tls.private_key = \(pki)/server-key.pem
            tls.client_ca = \(pki)/ca.pem
            tls.crl = \(pki)/crl.pem
            shutdown.grace_period = 5s
            log.level = info

            """
        try write(text, to: configPath, mode: 0o600)
    }

    private func write(_ text: String, to path: String, mode: Int) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }
}
