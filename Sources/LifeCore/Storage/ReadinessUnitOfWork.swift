import Foundation

/// Which certificates of which facilities reached the server, for the switch-over's readiness
/// report.
public protocol ReadinessUnitOfWork {
    /// Records that the certificate made a call (first and last time seen, notAfter).
    func recordSighting(_ sighting: CertificateSighting) throws
    /// Records that a staff member logged in with the certificate.
    func recordCertificateLogin(fingerprint: String, facility: FacilityNumber, at time: Date) throws
    /// Up to `limit` enabled facilities in number order after `after`, with what was seen.
    func facilityReadiness(after: FacilityNumber?, limit: Int) throws -> [FacilityReadiness]
}
