import LifeApp
import LifeCore
import LifeWire

extension ServerCallContext {
    /// The staff member `CallGate` proved for this call. A handler reached without one (a policy
    /// table that does not fit the service) fails closed.
    func staff() throws -> AuthenticatedStaff {
        guard let staff = principal as? AuthenticatedStaff else { throw DomainError.unauthenticated }
        return staff
    }

    /// The local operator `CallGate` admitted for this call.
    func localOperator() throws -> OperatorPrincipal {
        guard let admin = principal as? OperatorPrincipal else {
            throw DomainError.permissionDenied("admin methods are offered on the Unix socket only")
        }
        return admin
    }
}
