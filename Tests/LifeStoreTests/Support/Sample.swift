import Foundation
import LifeCore

/// Test data: valid identifiers and domain values with whole-second times.
enum Sample {
    /// A fixed instant (2026-02-02T02:40:00Z).
    static let time = Date(timeIntervalSince1970: 1_770_000_000)

    /// A valid 事業所番号 for `serial` (prefecture 13, kind 1, district 01), check digit included.
    static func facilityNumber(_ serial: Int) -> FacilityNumber {
        let prefix = "13101" + String(format: "%04d", serial)
        for digit in 0...9 {
            if let number = try? FacilityNumber(prefix + String(digit)) { return number }
        }
        fatalError("no check digit fits \(prefix)")
    }

    static func facility(_ serial: Int, name: String? = nil, at time: Date = Sample.time) -> Facility {
        Facility(number: facilityNumber(serial), name: name ?? "Facility \(serial)", createdAt: time, updatedAt: time)
    }

    /// 64 lower-case hex digits, distinct per `seed` and per `salt`.
    static func hex64(_ seed: Int, salt: Int = 0) -> String {
        String(format: "%016llx", UInt64(salt)) + String(repeating: "0", count: 32) + String(format: "%016llx", UInt64(seed))
    }

    static func fingerprint(_ seed: Int) -> String { hex64(seed, salt: 0xF1) }

    static func tokenHash(_ seed: Int) -> String { hex64(seed, salt: 0x70) }

    static func registration(_ seed: Int, facility: FacilityNumber, at time: Date = Sample.time) -> CertificateRegistration {
        CertificateRegistration(
            fingerprint: fingerprint(seed),
            facility: facility,
            subject: "CN=Terminal \(seed),serialNumber=\(facility)",
            notAfter: time.addingTimeInterval(365 * 86_400),
            note: "terminal \(seed)",
            registeredAt: time
        )
    }

    static func staff(
        _ loginID: String,
        facility: FacilityNumber,
        role: StaffRole = .operator,
        at time: Date = Sample.time
    ) -> StaffMember {
        StaffMember(
            facility: facility,
            loginID: loginID,
            displayName: "Staff \(loginID)",
            role: role,
            passwordHash: "$scrypt$ln=15,r=8,p=1$c2FsdA$aGFzaA",
            mustChangePassword: role == .facilityAdmin,
            createdAt: time,
            updatedAt: time
        )
    }

    static func session(_ seed: Int, staff: StaffMember, at time: Date = Sample.time) -> Session {
        Session(
            tokenHash: tokenHash(seed),
            staffID: staff.id!,
            facility: staff.facility,
            certificateFingerprint: fingerprint(seed),
            createdAt: time,
            lastSeenAt: time,
            expiresAt: time.addingTimeInterval(12 * 3600)
        )
    }

    static func event(_ index: Int, at time: Date = Sample.time) -> AuditEvent {
        AuditEvent(
            time: time.addingTimeInterval(Double(index)),
            facility: facilityNumber(1).rawValue,
            loginID: "user\(index % 7)",
            certificateFingerprint: fingerprint(index % 3),
            method: "/life.v1.Auth/Login",
            target: "staff:user\(index % 7)",
            result: index % 2 == 0 ? "OK" : "UNAUTHENTICATED",
            reason: index % 2 == 0 ? "" : "WRONG_PASSWORD"
        )
    }
}
