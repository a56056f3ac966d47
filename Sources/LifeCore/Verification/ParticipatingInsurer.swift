import Foundation

/// An insurer that joined the eligibility platform (参加保険者): its recipients are checked on
/// the days from `joinedOn` until the day before `leftOn`.
public struct ParticipatingInsurer: Sendable, Hashable {
    public var insurerNumber: InsurerNumber
    public var name: String
    public var joinedOn: CalendarDate
    /// The first day it no longer participates; nil while it does.
    public var leftOn: CalendarDate?
    public var createdAt: Date

    public init(insurerNumber: InsurerNumber, name: String, joinedOn: CalendarDate, leftOn: CalendarDate? = nil, createdAt: Date) {
        self.insurerNumber = insurerNumber
        self.name = name
        self.joinedOn = joinedOn
        self.leftOn = leftOn
        self.createdAt = createdAt
    }

    /// Whether its recipients are checked on `day`.
    public func participates(on day: CalendarDate) -> Bool {
        joinedOn <= day && (leftOn.map { day < $0 } ?? true)
    }
}
