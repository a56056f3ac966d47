import ArgumentParser
import LifeClient
import LifeProto

/// `lifectl login LOGIN_ID`: a staff login over TLS with the facility certificate; the session
/// token is kept for the recipient commands.
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Log a facility staff member in over TLS and keep the session for later commands.",
        discussion: """
            The certificate (--cert/--key, or the first sample facility's under lifed --dev) proves \
            the facility; the password proves who. The token is saved to the session file (0600) \
            and is valid only with the same certificate. A first login must change the initial \
            password: give --new-password-file.
            """
    )
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var session: SessionOptions
    @Argument(help: "Login id.") var loginID: String
    @Option(help: "File holding the password on its first line; - reads standard input.") var passwordFile = "-"
    @Option(help: "File holding a new password, to change the password right after logging in.") var newPasswordFile: String?

    func run() async throws {
        var request = Life_V1_LoginRequest()
        request.loginID = loginID
        request.password = try AdminSession.readSecret(from: passwordFile, what: "password")
        let newPassword = try newPasswordFile.map { try AdminSession.readSecret(from: $0, what: "new password") }
        let response = try await StaffSession.connect(connection) { [request] client in
            let response = try await client.auth.login(request)
            if let newPassword {
                var change = Life_V1_ChangePasswordRequest()
                change.oldPassword = request.password
                change.newPassword = newPassword
                _ = try await client.auth.changePassword(change, metadata: ["authorization": "Bearer \(response.sessionToken)"])
            }
            return response
        }
        try session.save(response.sessionToken)
        let member = response.staffMember
        print("logged in as \(member.loginID) of \(member.facilityNumber) \(response.facilityName); session saved to \(session.path)")
        if member.mustChangePassword, newPassword == nil {
            print("the password must be changed before anything else: log in again with --new-password-file")
        }
    }
}
