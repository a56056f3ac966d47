import Foundation
import LifeClient
import LifeCore
import LifeProto
import TestSupport
import Testing

private typealias F = TestFacilities

/// `lifectl cert readiness` (issue 14 item 3): facilities without any certificate seen, with a
/// certificate that made a call, with a staff login; certificates about to expire.
@Suite("Certificate readiness")
struct CertificateReadinessTests {
    @Test("one facility in each state; expiring certificates marked; lifectl lists the furthest behind first")
    func states() async throws {
        let daemon = try await TestDaemon.start()
        try await F.seed(daemon)
        let nine = "272000001"
        let silent = nine + String(FacilityNumber.checkDigit(of: nine.compactMap(\.wholeNumberValue)))
        try await LifeClient.withConnection(to: daemon.unixEndpoint) { client in
            _ = try await client.admin.createFacility(
                .with {
                    $0.facility.facilityNumber = silent; $0.facility.name = "未接続"
                })
        }
        // A logs in; B's appliance only completes a handshake, making no call; the third never connects.
        try await LifeClient.withConnection(to: daemon.tlsEndpoint(.facilityA)) { client in
            _ = try await F.login(client, "admin-a", F.initialPassword)
        }
        try await LifeClient.withConnection(to: daemon.tlsEndpoint(.facilityB)) { _ in }
        func report(within days: Int32) async throws -> [String: Life_V1_FacilityReadiness] {
            let facilities = try await LifeClient.withConnection(to: daemon.unixEndpoint) { client in
                try await client.admin.listCertificateReadiness(.with { $0.expiringWithinDays = days }).facilities
            }
            return Dictionary(uniqueKeysWithValues: facilities.map { ($0.facilityNumber, $0) })
        }
        // Noted as the connection is admitted, beside it.
        #expect(await eventually { (try? await report(within: 1)[F.b]?.state) == .certificateSeen })
        let byNumber = try await report(within: 1)
        #expect(byNumber[F.a]?.state == .loggedIn && byNumber[F.a]?.hasLastLoginAt == true)
        #expect(byNumber[F.b]?.state == .certificateSeen && byNumber[F.b]?.certificateCount == 1)
        #expect(byNumber[silent]?.state == .noCertificate && byNumber[silent]?.hasCertificateNotAfter == false)
        // The test certificates are valid for months: not within a day, within ten years.
        #expect(byNumber[F.b]?.hasCertificateNotAfter == true && byNumber[F.b]?.expiringSoon == false)
        let distant = try await report(within: 3650)
        #expect(distant[F.b]?.expiringSoon == true && distant[F.a]?.expiringSoon == true && distant[silent]?.expiringSoon == false)

        let listed = try await ChildProcess.run(
            Products.path("lifectl"), ["cert", "readiness", "--expiring-days", "3650", "--socket", daemon.daemon.unixListener.address])
        #expect(listed.status == 0, "\(listed.stderr)")
        let lines = listed.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("\(silent)  NO_CERTIFICATE") == true, "\(listed.stdout)")
        #expect(lines.contains { $0.hasPrefix("\(F.b)  CERTIFICATE_SEEN") && $0.contains("EXPIRING") })
        #expect(lines.last?.hasPrefix("\(F.a)  LOGGED_IN") == true)
        #expect(listed.stderr.contains("3 facilities: 1 without a certificate, 1 with a certificate seen, 1 logged in, 2 expiring"))
        let behind = try await ChildProcess.run(
            Products.path("lifectl"), ["cert", "readiness", "--state", "no-certificate", "--socket", daemon.daemon.unixListener.address])
        #expect(behind.stdout.split(separator: "\n").count == 1)
        try await daemon.stop()
    }
}
