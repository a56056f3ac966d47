import Synchronization
import X509

/// The intermediates of one path search, as a certificate store that answers at most `limit`
/// issuer lookups and none once the searching task is cancelled.
///
/// `Verifier` asks the intermediate store once per partial chain it extends and checks one
/// signature per candidate it gets back; it has no limit or cancellation of its own. Answering
/// "no issuer" past the budget ends the search after the chains already queued, so the work of
/// one handshake is at most `limit` lookups × (candidates per lookup + roots of that name)
/// signature checks, whatever the client sent. `PresentedChain` already makes each lookup return
/// at most one candidate; this bound does not depend on that.
public final class IssuerLookupBudget: CustomCertificateStore {
    private struct State {
        var bySubject: [DistinguishedName: [Certificate]]
        var lookups = 0
        var exhausted = false
    }

    private let limit: Int
    private let state: Mutex<State>

    public init(_ intermediates: [Certificate], limit: Int) {
        self.limit = limit
        state = Mutex(State(bySubject: Dictionary(grouping: intermediates, by: \.subject)))
    }

    /// Lookups answered so far (the counter tests assert on).
    public var lookups: Int { state.withLock { $0.lookups } }
    /// Whether a lookup was refused because the budget was spent or the task cancelled.
    public var exhausted: Bool { state.withLock { $0.exhausted } }

    public subscript(subject: DistinguishedName) -> [Certificate]? {
        get async {
            let cancelled = Task.isCancelled
            return state.withLock { state in
                guard state.lookups < limit, !cancelled else {
                    state.exhausted = true
                    return nil
                }
                state.lookups += 1
                return state.bySubject[subject]
            }
        }
    }

    public func contains(_ certificate: Certificate) async -> Bool {
        state.withLock { $0.bySubject[certificate.subject]?.contains(certificate) ?? false }
    }

    public func append(contentsOf certificates: some Sequence<Certificate>) {
        state.withLock { state in
            for certificate in certificates { state.bySubject[certificate.subject, default: []].append(certificate) }
        }
    }

    public static func == (lhs: IssuerLookupBudget, rhs: IssuerLookupBudget) -> Bool { lhs === rhs }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(ObjectIdentifier(self))
    }
}
