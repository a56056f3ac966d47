import Foundation

/// When a CRL is current enough to decide revocation: from its thisUpdate (less a small clock
/// skew allowance) until its nextUpdate plus a grace period. Past that a revoked certificate
/// could be back in favour without lifed knowing, so by default the CA's certificates are
/// refused (fail closed, issue 13 item 4); `enforced = false` is the operator's explicit opt-out.
public struct CRLFreshness: Sendable, Hashable {
    /// How far a CRL's thisUpdate may lie in the future of this host's clock (the CA's clock and
    /// ours differ a little; certificates are backdated by as much).
    public static let clockSkewAllowance: TimeInterval = 300

    /// How long after nextUpdate a CRL is still used (`tls.crl_grace_period`).
    public var gracePeriod: TimeInterval
    /// Whether a CRL outside its window refuses its CA's certificates
    /// (`tls.crl_enforce_next_update`).
    public var enforced: Bool

    public init(gracePeriod: TimeInterval = 0, enforced: Bool = true) {
        self.gracePeriod = gracePeriod
        self.enforced = enforced
    }

    /// Why `crl` is not current at `now` (for logs and reports, enforced or not), or nil.
    public func staleness(of crl: CertificateRevocationList, at now: Date) -> String? {
        if now < crl.thisUpdate.addingTimeInterval(-Self.clockSkewAllowance) {
            return "is not valid before its thisUpdate \(Self.text(crl.thisUpdate)) (now \(Self.text(now)))"
        }
        guard let nextUpdate = crl.nextUpdate else {
            return "has no nextUpdate, so lifed cannot tell when it goes stale"
        }
        let deadline = nextUpdate.addingTimeInterval(gracePeriod)
        if now > deadline {
            let grace = gracePeriod > 0 ? " + grace \(Int(gracePeriod)) s" : ""
            return "is past its nextUpdate \(Self.text(nextUpdate))\(grace)"
        }
        return nil
    }

    /// Why certificates of `crl`'s issuer are refused at `now`, or nil when they may be judged by it.
    public func refusal(of crl: CertificateRevocationList, at now: Date) -> String? {
        enforced ? staleness(of: crl, at: now) : nil
    }

    private static func text(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}
