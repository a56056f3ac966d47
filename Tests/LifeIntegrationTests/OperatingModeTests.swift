import Foundation
import LifeClient
import LifeProto
import LifeWire
import TestSupport
import Testing

private typealias F = TestFacilities
private typealias R = RecipientsTests

/// The switch-over modes (issue 14 item 2): each refuses exactly what it should, with
/// FAILED_PRECONDITION naming the mode; the mode is audited and survives a restart.
@Suite("Operating modes")
struct OperatingModeTests {
    static func setMode(_ endpoint: ClientEndpoint, _ mode: Life_V1_OperatingMode, reason: String = "切替作業") async throws {
        _ = try await LifeClient.withConnection(to: endpoint) { client in
            try await client.admin.setOperatingMode(
                .with {
                    $0.mode = mode; $0.reason = reason
                })
        }
    }

    static func refusal(_ body: () async throws -> Void) async -> RPCError? {
        await R.code(body)
    }

    @Test(
        "migration-freeze refuses deleting recipients, creating and disabling facilities; read-only refuses every write; reads, watch and login go on"
    )
    func refusals() async throws {
        let daemon = try await TestDaemon.start()
        try await R.withTerminals(daemon, [.facilityA]) { terminals in
            let a = terminals[0]
            let kept = try await R.create(a, R.sample(insured: "0000000001"))
            try await Self.setMode(daemon.unixEndpoint, .migrationFreeze)

            let delete = await Self.refusal {
                _ = try await a.client.recipients.deleteRecipient(
                    .with {
                        $0.id = kept.id; $0.expectedVersion = 1
                    }, metadata: a.metadata)
            }
            #expect(delete?.code == .failedPrecondition && delete?.reason == "OPERATING_MODE")
            #expect(delete?.message.contains("migration-freeze") == true)
            let createFacility = await Self.refusal {
                _ = try await LifeClient.withConnection(to: daemon.unixEndpoint) { client in
                    try await client.admin.createFacility(
                        .with {
                            $0.facility.facilityNumber = "1312345687"; $0.facility.name = "新"
                        })
                }
            }
            #expect(createFacility?.code == .failedPrecondition)
            let disable = await Self.refusal {
                _ = try await LifeClient.withConnection(to: daemon.unixEndpoint) { client in
                    try await client.admin.disableFacility(.with { $0.facilityNumber = F.a })
                }
            }
            #expect(disable?.code == .failedPrecondition)
            // Everything else is served.
            let created = try await R.create(a, R.sample(insured: "0000000002"))
            var edited = created
            edited.careLevel = .care4
            _ = try await R.update(a, edited, expected: 1)

            try await Self.setMode(daemon.unixEndpoint, .readOnly)
            let create = await Self.refusal { _ = try await R.create(a, R.sample(insured: "0000000003")) }
            #expect(create?.code == .failedPrecondition && create?.message.contains("read-only") == true)
            let update = await Self.refusal { _ = try await R.update(a, edited, expected: 2) }
            #expect(update?.code == .failedPrecondition)
            let staff = await Self.refusal {
                _ = try await a.client.staff.createStaffMember(
                    .with {
                        $0.staffMember.loginID = "new"; $0.staffMember.displayName = "x"; $0.initialPassword = "Initial-2026x"
                    },
                    metadata: a.metadata)
            }
            #expect(staff?.code == .failedPrecondition)
            #expect(try await R.get(a, kept.id).id == kept.id)
            #expect(try await a.client.recipients.listRecipients(.init(), metadata: a.metadata).recipients.count == 2)
            let token = try await LifeClient.withConnection(to: daemon.tlsEndpoint(.facilityA)) { client in
                try await F.login(client, "admin-a", F.newPassword)
            }
            #expect(!token.isEmpty)
            let health = try await LifeClient.withConnection(to: daemon.unixEndpoint) { try await $0.health.check(.init()) }
            #expect(health.server.operatingMode == .readOnly)

            try await Self.setMode(daemon.unixEndpoint, .normal)
            _ = try await R.create(a, R.sample(insured: "0000000003"))
            let audited = try await LifeClient.withConnection(to: daemon.unixEndpoint) { client in
                try await client.admin.listAuditEvents(.with { $0.method = "/life.v1.Admin/SetOperatingMode" }).events
            }
            #expect(audited.count == 3 && audited.allSatisfy { $0.reason == "切替作業" })
            let noReason = await Self.refusal { try await Self.setMode(daemon.unixEndpoint, .readOnly, reason: " ") }
            #expect(noReason?.code == .invalidArgument)
        }
        try await daemon.stop()
    }

    @Test("the mode survives a restart of lifed and shows in probe")
    func survivesRestart() async throws {
        let pki = try TestPKI(folder: TemporaryDirectory())
        let socket = pki.folder.file("lifed.sock")
        let first = try await LifedProcess.start(pki)
        try await Self.setMode(.unix(path: socket), .readOnly, reason: "旧システム参照期間")
        first.child.signal(SIGTERM)
        #expect(await first.child.waitForExit() == 0)
        let second = try await LifedProcess.start(pki)
        let state = try await LifeClient.withConnection(to: .unix(path: socket)) { try await $0.admin.getOperatingMode(.init()).state }
        #expect(state.mode == .readOnly && state.reason == "旧システム参照期間")
        let probe = try await ChildProcess.run(Products.path("lifectl"), ["probe", "--json", "--socket", socket])
        let json = try JSONSerialization.jsonObject(with: Data(probe.stdout.utf8)) as? [String: Any]
        #expect(json?["operating_mode"] as? String == "read-only")
        let shown = try await ChildProcess.run(Products.path("lifectl"), ["mode", "show", "--socket", socket])
        #expect(shown.stdout.hasPrefix("read-only  since "), "\(shown.stdout)")
        second.child.signal(SIGTERM)
        #expect(await second.child.waitForExit() == 0)
        pki.folder.remove()
    }
}
