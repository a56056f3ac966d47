import LifeCore

/// A successful login: the token (given to the client once, never stored) and what it opened.
public struct LoginResult: Sendable {
    public let token: String
    public let session: Session
    public let staff: StaffMember
    public let facility: Facility
}
