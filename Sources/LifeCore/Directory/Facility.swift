import Foundation

/// A care facility (事業所), the tenant of the system.
public struct Facility: Sendable, Hashable {
    public var number: FacilityNumber
    public var name: String
    public var disabled: Bool
    public var createdAt: Date
    public var updatedAt: Date
    /// Service type codes the facility offers (サービス種類), sorted; set by a migration import,
    /// empty when not known.
    public var serviceTypeCodes: [String]

    /// A facility name is 1…200 characters without control characters (given trimmed).
    public static func isValidName(_ name: String) -> Bool {
        (1...200).contains(name.count) && !name.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }

    public init(
        number: FacilityNumber, name: String, disabled: Bool = false, createdAt: Date, updatedAt: Date, serviceTypeCodes: [String] = []
    ) {
        self.serviceTypeCodes = serviceTypeCodes
        self.number = number
        self.name = name
        self.disabled = disabled
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
