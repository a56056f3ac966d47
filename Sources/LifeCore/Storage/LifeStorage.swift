/// Everything the services need from storage. LifeStore implements it on SQLite; a second
/// backend (PostgreSQL behind several daemons) implements the same protocols in a new module.
/// Implementations throw `DomainError` for the cases each method names, anything else for
/// failures of the backend itself.
public protocol LifeStorage: DirectoryStore, StaffStore, SessionStore, AuditStore, MaintenanceStore, RecipientStore {}
