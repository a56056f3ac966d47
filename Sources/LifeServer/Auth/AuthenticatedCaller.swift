import LifeCore

/// A staff member proven by certificate and session.
public struct AuthenticatedCaller: Sendable {
    public let staff: StaffMember
    public let session: Session
    public let facility: Facility
}
