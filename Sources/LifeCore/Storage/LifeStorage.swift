/// Everything the use cases need from storage. LifeStore implements it on SQLite; a second
/// backend (PostgreSQL behind several daemons) implements the same protocols in a new module.
public protocol LifeStorage: TransactionalStore, MaintenanceStore {}
