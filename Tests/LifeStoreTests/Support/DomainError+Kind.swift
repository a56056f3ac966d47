import LifeCore

extension DomainError {
    /// The case without its payload, for `#expect(error?.kind == .notFound)`.
    enum Kind: Hashable {
        case invalidField, notFound, alreadyExists, unauthenticated, permissionDenied
        case passwordChangeRequired, failedPrecondition, invalidFields, versionConflict, outOfRange, resourceExhausted, storageFull
        case refusedByMode
    }

    var kind: Kind {
        switch self {
        case .invalidField: .invalidField
        case .notFound: .notFound
        case .alreadyExists: .alreadyExists
        case .unauthenticated: .unauthenticated
        case .permissionDenied: .permissionDenied
        case .passwordChangeRequired: .passwordChangeRequired
        case .failedPrecondition: .failedPrecondition
        case .invalidFields: .invalidFields
        case .versionConflict: .versionConflict
        case .outOfRange: .outOfRange
        case .resourceExhausted: .resourceExhausted
        case .storageFull: .storageFull
        case .refusedByMode: .refusedByMode
        }
    }
}
