/// Who may call a method, by its path: decided in one table, so a new service is closed until it
/// is listed (everything not named here needs a staff session).
enum CallPolicy: Equatable {
    /// Anyone the listener admitted: health checks, and the login that makes a session.
    case open
    /// A staff session on its certificate. `allowingPasswordChange`: also a member who must
    /// change the password first (Auth's WhoAmI, Logout, ChangePassword).
    case staff(allowingPasswordChange: Bool)
    /// The local operator on the Unix socket.
    case localOperator

    init(path: String) {
        if path.hasPrefix("/life.v1.Health/") || path == "/life.v1.Auth/Login" {
            self = .open
        } else if path.hasPrefix("/life.v1.Auth/") {
            self = .staff(allowingPasswordChange: true)
        } else if path.hasPrefix("/life.v1.Admin/") {
            self = .localOperator
        } else {
            self = .staff(allowingPasswordChange: false)
        }
    }
}
