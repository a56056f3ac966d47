import Foundation
import LifeClient
import LifeProto
import LifeWire

/// Login throughput with the real scrypt cost, and WhoAmI latency while logins run: hashing must
/// not stall other calls.
enum LoginLoad {
    static let facility = "1312345679"
    static let loginID = "bench-admin"
    static let password = "Bench-Password-2026"

    /// Creates the facility and a facility admin over the Unix socket, then replaces the initial
    /// password (a first login requires it).
    static func prepare(unix: ClientEndpoint, tls: ClientEndpoint) async throws {
        try await LifeClient.withConnection(to: unix) { client in
            var facility = Life_V1_CreateFacilityRequest()
            facility.facility.facilityNumber = Self.facility
            facility.facility.name = "benchmark"
            do {
                _ = try await client.admin.createFacility(facility)
            } catch let error as RPCError where error.code == .alreadyExists {
                // Made by the recipient generator.
            }
            var admin = Life_V1_CreateFacilityAdminRequest()
            admin.facilityNumber = Self.facility
            admin.loginID = loginID
            admin.displayName = "benchmark"
            admin.initialPassword = "Initial-Password-1"
            _ = try await client.admin.createFacilityAdmin(admin)
        }
        try await LifeClient.withConnection(to: tls) { client in
            let token = try await login(client, "Initial-Password-1")
            var change = Life_V1_ChangePasswordRequest()
            change.oldPassword = "Initial-Password-1"
            change.newPassword = password
            _ = try await client.auth.changePassword(change, metadata: ["authorization": "Bearer \(token)"])
        }
    }

    static func login(_ client: LifeClient, _ password: String) async throws -> String {
        var request = Life_V1_LoginRequest()
        request.loginID = loginID
        request.password = password
        return try await client.auth.login(request).sessionToken
    }

    /// `loggers` tasks log in back to back while one task calls WhoAmI back to back.
    static func run(tls: ClientEndpoint, loggers: Int, duration: Duration) async throws -> (logins: LatencyStats, whoAmI: LatencyStats) {
        try await LifeClient.withConnection(to: tls) { client in
            let token = try await login(client, password)
            let end = ContinuousClock.now + duration
            let start = ContinuousClock.now
            async let whoAmI: LatencyStats = {
                var stats = LatencyStats()
                while ContinuousClock.now < end {
                    let sent = ContinuousClock.now
                    _ = try await client.auth.whoAmI(.init(), metadata: ["authorization": "Bearer \(token)"])
                    stats.calls += 1
                    stats.samples.append(sent.nanosecondsSince)
                }
                return stats
            }()
            var logins = try await withThrowingTaskGroup(of: LatencyStats.self) { group in
                for _ in 0..<loggers {
                    group.addTask {
                        var stats = LatencyStats()
                        while ContinuousClock.now < end {
                            let sent = ContinuousClock.now
                            _ = try await login(client, password)
                            stats.calls += 1
                            stats.samples.append(sent.nanosecondsSince)
                        }
                        return stats
                    }
                }
                var total = LatencyStats()
                for try await partial in group { total.merge(partial) }
                return total
            }
            var who = try await whoAmI
            logins.elapsed = start.duration(to: .now)
            who.elapsed = logins.elapsed
            return (logins, who)
        }
    }
}
