import ArgumentParser
import LifeClient
import LifeProto

/// `lifectl staff …`: the operator's part of staff accounts (facility admins do the rest).
struct StaffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "staff",
        abstract: "Create a facility's first admin (管理ユーザー); unlock a locked account.",
        subcommands: [CreateAdmin.self, Unlock.self]
    )

    struct CreateAdmin: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create-admin",
            abstract: "Create a facility admin whose initial password must be changed at first login."
        )
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "事業所番号.") var facility: String
        @Argument(help: "Login id.") var loginID: String
        @Option(help: "Display name.") var name: String
        @Option(help: "File holding the initial password on its first line; - reads standard input.") var passwordFile = "-"

        func run() async throws {
            var request = Life_V1_CreateFacilityAdminRequest()
            request.facilityNumber = facility
            request.loginID = loginID
            request.displayName = name
            request.initialPassword = try AdminSession.readSecret(from: passwordFile, what: "initial password")
            let member = try await AdminSession.run(connection) { [request] client in
                try await client.admin.createFacilityAdmin(request).staffMember
            }
            print("created \(member.loginID) (facility admin of \(member.facilityNumber)); password change required at first login")
        }
    }

    struct Unlock: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Unlock an account locked by failed logins.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "事業所番号.") var facility: String
        @Argument(help: "Login id.") var loginID: String

        func run() async throws {
            var request = Life_V1_AdminUnlockStaffMemberRequest()
            request.facilityNumber = facility
            request.loginID = loginID
            _ = try await AdminSession.run(connection) { [request] client in try await client.admin.unlockStaffMember(request) }
            print("unlocked \(loginID) of \(facility)")
        }
    }
}
