import Foundation
import LifeCore
import Synchronization

/// Which facilities will be able to log in on the first day: certificates are noted as they make
/// calls (mapped to their facility by the login's rule: a registered fingerprint, else the
/// subject attribute), logins as they succeed; the local operator reads a report per facility.
public final class CertificateReadinessUseCases: Sendable {
    private let store: any TransactionalStore
    private let clock: any WallClock
    private let tokens: PageTokenCodec
    /// When each certificate was last written down: at most once an hour each, so a busy
    /// appliance costs no write per call. Bounded: cleared when it grows past `rememberedLimit`.
    private let remembered = Mutex<[String: Date]>([:])
    private let rememberedLimit = 50_000
    private static let interval: TimeInterval = 3600

    public init(store: any TransactionalStore, clock: any WallClock = SystemClock(), tokens: PageTokenCodec = PageTokenCodec()) {
        self.store = store
        self.clock = clock
        self.tokens = tokens
    }

    /// A call arrived with the certificate `fingerprint`. Only when it was not written in the
    /// last hour are its `facts` read (the facility its subject names, its notAfter) and, if it
    /// proves a facility, written down.
    public func sighted(fingerprint: String, facts: () -> (subjectFacility: FacilityNumber?, notAfter: Date?)) async throws {
        let now = clock.now()
        let due = remembered.withLock { seen -> Bool in
            if let last = seen[fingerprint], now.timeIntervalSince(last) < Self.interval { return false }
            if seen.count >= rememberedLimit { seen.removeAll() }
            seen[fingerprint] = now
            return true
        }
        guard due else { return }
        let (subjectFacility, notAfter) = facts()
        let certificate = PresentedCertificate(fingerprint: fingerprint, subjectFacility: subjectFacility)
        try await store.unitOfWork { unit in
            guard let facility = try AuthUseCases.facility(proven: certificate, in: unit) else { return }
            try unit.recordSighting(
                CertificateSighting(fingerprint: certificate.fingerprint, facility: facility.number, notAfter: notAfter, time: now))
        }
    }

    /// Enabled facilities in number order, with their state, paged in storage.
    public func report(_ admin: OperatorPrincipal, page: PageRequest) async throws -> Page<FacilityReadiness> {
        let size = try page.resolvedSize()
        let scope = "readiness"
        let after = try page.token.isEmpty ? nil : FacilityNumber(tokens.decode(payload: page.token, scope: scope), checkDigit: false)
        let (tokens, now) = (tokens, clock.now())
        return try await store.unitOfWork { unit in
            let found = try unit.facilityReadiness(after: after, limit: size + 1)
            try unit.appendAudit(admin.auditEvent(time: now, target: "certificate-readiness"))
            return Page(found: found, size: size, totalSize: try unit.countFacilities(includeDisabled: false)) {
                tokens.encode(payload: $0.facility.rawValue, scope: scope)
            }
        }
    }
}
