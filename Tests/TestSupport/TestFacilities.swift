import LifeClient
import LifeProto

/// Two facilities with a first admin each, made through the real Admin service.
public enum TestFacilities {
    public static let a = "1312345679"
    public static let b = "2712345673"
    public static let initialPassword = "Initial-2026"
    public static let newPassword = "Changed-2026!"

    /// Creates facilities A and B and an admin `admin-a` / `admin-b` in each (initial password,
    /// change required at first login).
    public static func seed(_ daemon: TestDaemon) async throws {
        try await seed(daemon.unixEndpoint)
    }

    /// The same, through the Unix socket at `endpoint` (a lifed started as a process).
    public static func seed(_ endpoint: ClientEndpoint) async throws {
        try await LifeClient.withConnection(to: endpoint) { client in
            for (number, name) in [(a, "施設A"), (b, "施設B")] {
                var facility = Life_V1_CreateFacilityRequest()
                facility.facility.facilityNumber = number
                facility.facility.name = name
                _ = try await client.admin.createFacility(facility)
                var admin = Life_V1_CreateFacilityAdminRequest()
                admin.facilityNumber = number
                admin.loginID = number == a ? "admin-a" : "admin-b"
                admin.displayName = "管理者"
                admin.initialPassword = initialPassword
                _ = try await client.admin.createFacilityAdmin(admin)
            }
        }
    }

    /// Logs in and returns the session token.
    public static func login(_ client: LifeClient, _ loginID: String, _ password: String) async throws -> String {
        var request = Life_V1_LoginRequest()
        request.loginID = loginID
        request.password = password
        return try await client.auth.login(request).sessionToken
    }

    public static func bearer(_ token: String) -> [String: String] { ["authorization": "Bearer \(token)"] }
}
