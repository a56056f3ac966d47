import Foundation
import LifeClient
import LifeProto
import LifeWire
import TestSupport
import Testing

/// Issue 13 item 7: what a refused call names goes into the audit log bounded in bytes, however
/// the caller built it: one character can be megabytes of combining marks.
@Suite("Audit target bounds")
struct AuditTargetBoundsTests {
    @Test("a refused call naming a login id of one 400 KB character is audited with a target of at most 256 bytes")
    func refusedCallTargetBounded() async throws {
        let daemon = try await TestDaemon.start()
        let huge = "a" + String(repeating: "\u{301}", count: 200_000)
        #expect(huge.count == 1)
        try await LifeClient.withConnection(to: daemon.tlsEndpoint(.facilityA)) { client in
            var request = Life_V1_GetStaffMemberRequest()
            request.loginID = huge
            let error = await #expect(throws: RPCError.self) { _ = try await client.staff.getStaffMember(request) }
            #expect(error?.code == .unauthenticated)
        }
        let events = try await LifeClient.withConnection(to: daemon.unixEndpoint) { client in
            var request = Life_V1_ListAuditEventsRequest()
            request.method = "/life.v1.Staff/GetStaffMember"
            return try await client.admin.listAuditEvents(request).events
        }
        let event = try #require(events.first)
        #expect(event.target.utf8.starts(with: "staff:a".utf8))
        #expect(event.target.utf8.count <= 256, "target of \(event.target.utf8.count) bytes")
        try await daemon.stop()
    }

    @Test("a login id is limited in bytes: one 400 KB character is refused before any lookup or hash, and nothing of it is audited")
    func loginIDLimitedInBytes() async throws {
        let daemon = try await TestDaemon.start()
        try await TestFacilities.seed(daemon)
        let huge = "a" + String(repeating: "\u{301}", count: 200_000)
        try await LifeClient.withConnection(to: daemon.tlsEndpoint(.facilityA)) { client in
            let error = await #expect(throws: RPCError.self) { _ = try await TestFacilities.login(client, huge, "Wrong-2026") }
            #expect(error?.code == .invalidArgument)
            // 64 bytes is still a login id (an unknown one).
            let unknown = await #expect(throws: RPCError.self) {
                _ = try await TestFacilities.login(client, String(repeating: "x", count: 64), "Wrong-2026")
            }
            #expect(unknown?.code == .unauthenticated)
        }
        let events = try await LifeClient.withConnection(to: daemon.unixEndpoint) { client in
            var request = Life_V1_ListAuditEventsRequest()
            request.method = "/life.v1.Auth/Login"
            return try await client.admin.listAuditEvents(request).events
        }
        #expect(events.count == 1, "only the 64-byte attempt")
        #expect(events.allSatisfy { $0.loginID.utf8.count <= 64 && $0.target.utf8.count <= 256 })
        try await daemon.stop()
    }
}
