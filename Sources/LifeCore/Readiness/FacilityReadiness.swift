import Foundation

/// How ready one facility is to log in to the new LIFE, from the certificates that reached the
/// server: none yet, a certificate that made a call, a staff login that succeeded.
public struct FacilityReadiness: Sendable, Hashable {
    public enum State: Int, Sendable, Hashable, Comparable, CaseIterable {
        /// No certificate of the facility has reached the server.
        case noCertificate = 0
        /// A certificate that proves the facility completed a handshake and made a call.
        case certificateSeen = 1
        /// A staff member logged in with one of its certificates.
        case loggedIn = 2

        public static func < (lhs: State, rhs: State) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public var facility: FacilityNumber
    public var name: String
    public var state: State
    /// Certificates seen for the facility.
    public var certificateCount: Int
    public var lastSeenAt: Date?
    public var lastLoginAt: Date?
    /// The latest notAfter among its certificates seen: when the facility's newest one expires.
    public var notAfter: Date?

    public init(
        facility: FacilityNumber, name: String, certificateCount: Int, lastSeenAt: Date?, lastLoginAt: Date?, notAfter: Date?
    ) {
        self.facility = facility
        self.name = name
        self.certificateCount = certificateCount
        self.lastSeenAt = lastSeenAt
        self.lastLoginAt = lastLoginAt
        self.notAfter = notAfter
        state = lastLoginAt != nil ? .loggedIn : certificateCount > 0 ? .certificateSeen : .noCertificate
    }

    /// Whether its newest certificate expires before `date`.
    public func expires(before date: Date) -> Bool {
        notAfter.map { $0 < date } ?? false
    }
}

/// A certificate as it reached the server on a call, with the facility it proves.
public struct CertificateSighting: Sendable, Hashable {
    public var fingerprint: String
    public var facility: FacilityNumber
    public var notAfter: Date?
    public var time: Date

    public init(fingerprint: String, facility: FacilityNumber, notAfter: Date?, time: Date) {
        self.fingerprint = fingerprint
        self.facility = facility
        self.notAfter = notAfter
        self.time = time
    }
}
