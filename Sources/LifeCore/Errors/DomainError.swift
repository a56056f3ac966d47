/// What can go wrong in the domain, independent of any transport. LifeServer maps each case to a
/// wire status in one place; `message` is safe to show to the caller.
public enum DomainError: Error, Sendable, Hashable {
    /// A field breaks a rule: which field, a machine-readable reason, a message for people.
    case invalidField(field: String, reason: String, message: String)
    /// Several fields break rules: every violation found, not only the first.
    case invalidFields([FieldViolation])
    /// The thing does not exist, or the caller may not know that it does. The text names the
    /// thing ("facility 1312345679"); the wire message adds "not found".
    case notFound(String)
    /// Creating would duplicate something unique. The text names the thing; the wire message
    /// adds "already exists".
    case alreadyExists(String)
    /// Who the caller is could not be established. Deliberately says nothing more.
    case unauthenticated
    /// The caller is known but may not do this.
    case permissionDenied(String)
    /// The caller must change the password before doing anything else.
    case passwordChangeRequired
    /// The state does not allow the operation (e.g. a disabled facility).
    case failedPrecondition(String)
    /// What was asked for lies outside what is kept (e.g. a change log pruned past a watcher's
    /// position).
    case outOfRange(String)
    /// A version check failed: someone else changed the record first. Read it again.
    case versionConflict(String)
    /// A bounded queue is full; try again later.
    case resourceExhausted(String)
    /// The operating mode the operator set refuses this call (`reason`: the operator's words).
    case refusedByMode(OperatingMode, reason: String)
    /// The storage cannot take more data (its disk is full): nothing was changed; try again once
    /// the operator has freed space.
    case storageFull
}
