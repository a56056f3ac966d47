import LifeCore

/// A staff member proven by certificate and session, as the session check found them.
public struct AuthenticatedStaff: Sendable {
    public let principal: StaffPrincipal
    public let staff: StaffMember
    public let facility: Facility
    public let session: Session
}
