/// What the operator sets for the whole server.
public protocol OperationsUnitOfWork {
    /// The stored mode, `OperatingModeState.initial` when never set.
    func operatingMode() throws -> OperatingModeState
    func setOperatingMode(_ state: OperatingModeState) throws
}
