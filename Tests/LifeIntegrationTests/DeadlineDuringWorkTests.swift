import LifeClient
import LifeProto
import LifeStubs
import LifeWire
import NIOCore
import TestSupport
import Testing

/// PROTOCOL §6: a deadline that passes while the method runs is answered at the deadline, even
/// when the method's work cannot stop at once (a password hash); the work finishes in the
/// background, holding its slot until then.
@Suite("Deadlines during work that cannot stop")
struct DeadlineDuringWorkTests {
    @Test("a call whose deadline passes during its password hash is answered DEADLINE_EXCEEDED while the hash still runs")
    func answeredBeforeTheHashEnds() async throws {
        // A hash of 64 MiB: long enough (well over a second in a debug build) to outlast the
        // 50 ms deadline by far.
        let daemon = try await TestDaemon.start(["auth.scrypt=ln=16,r=8,p=1"])
        try await LifeClient.withConnection(to: daemon.unixEndpoint) { client in
            var facility = Life_V1_CreateFacilityRequest()
            facility.facility.facilityNumber = TestFacilities.a
            facility.facility.name = "施設A"
            _ = try await client.admin.createFacility(facility)
        }
        var admin = Life_V1_CreateFacilityAdminRequest()
        admin.facilityNumber = TestFacilities.a
        admin.loginID = "admin-a"
        admin.displayName = "管理者"
        admin.initialPassword = TestFacilities.initialPassword
        // Raw frames: a client library would run its own timer and CANCEL, hiding the server's answer.
        let raw = try RawSocket(path: daemon.daemon.unixListener.address, timeout: .seconds(30))
        var bytes = ByteBuffer(bytes: Preface.bytes)
        bytes.writeImmutableBuffer(RawFrames.headers(callID: 1, method: Life_V1_Admin.Method.createFacilityAdmin.path, timeoutMs: 50))
        Frame.writeMessage(callID: 1, bytes: try admin.serializedBytes(), flags: .endStream, to: &bytes)
        raw.send(bytes)
        let frames = await raw.readFramesOffPool { $0.type == .trailer }
        // The answer came while the method was still hashing: its call is still open.
        let stillRunning = daemon.daemon.unixListener.openCalls
        #expect(frames.last?.callStatus?.code == .deadlineExceeded)
        #expect(!frames.contains { $0.type == .message })
        #expect(stillRunning == 1, "the answer waited for the hash to end")
        // Then the hash ends, the slot is freed, and nothing more is sent for the call.
        #expect(await eventually(timeout: .seconds(60)) { daemon.daemon.unixListener.openCalls == 0 })
        raw.send(RawFrames.healthCheck(callID: 2))
        let after = await raw.readFramesOffPool { $0.type == .trailer }
        #expect(after.allSatisfy { $0.callID == 2 }, "\(after.map { "\($0.type) \($0.callID)" })")
        try await daemon.stop()
    }
}
