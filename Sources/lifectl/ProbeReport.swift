import Foundation
import LifeProto
import LifeWire

/// The outcome of `lifectl probe`, as text or JSON.
struct ProbeReport: Encodable {
    var status = "UNREACHABLE"
    var endpoint: String
    var version: String?
    var uptimeSeconds: Double?
    var latencyMilliseconds: Double?
    var certificateNotAfter: String?
    var certificateDaysLeft: Int?
    var crlNextUpdate: String?
    var crlHoursLeft: Int?
    var operatingMode: String?
    var exitCode: Int32 = 2
    var message: String = ""

    enum CodingKeys: String, CodingKey {
        case status, endpoint, version, message
        case uptimeSeconds = "uptime_seconds"
        case latencyMilliseconds = "latency_ms"
        case certificateNotAfter = "certificate_not_after"
        case certificateDaysLeft = "certificate_days_left"
        case crlNextUpdate = "crl_next_update"
        case crlHoursLeft = "crl_hours_left"
        case operatingMode = "operating_mode"
        case exitCode = "exit_code"
    }

    init(endpoint: String) {
        self.endpoint = endpoint
    }

    mutating func fail(_ reason: String) {
        status = "UNREACHABLE"
        exitCode = 2
        message = reason
    }

    /// How near a date may come before the probe warns.
    struct Thresholds {
        /// The server certificate's notAfter (`--warn-days`).
        var certificateDays: Int
        /// The earliest CRL nextUpdate (`--crl-warn-hours`).
        var crlHours: Int
    }

    mutating func record(response: Life_V1_HealthCheckResponse, latencies: [Duration], thresholds: Thresholds) {
        let info = response.server
        version = info.version
        uptimeSeconds = Double(info.uptimeMs) / 1000
        let sorted = latencies.sorted()
        let median = sorted[sorted.count / 2]
        latencyMilliseconds = (Double(median.components.seconds) * 1000 + Double(median.components.attoseconds) / 1e15)
            .rounded(toPlaces: 3)
        switch response.status {
        case .serving: status = "SERVING"
        case .notServing: status = "NOT_SERVING"
        default: status = "UNKNOWN"
        }
        guard status == "SERVING" else {
            exitCode = 2
            message = "server answers but is not serving"
            return
        }
        // The worst finding sets the exit code; every finding is named in the message.
        var findings: [(code: Int32, text: String)] = []
        if info.hasCertificateNotAfter {
            let notAfter = info.certificateNotAfter.date
            let days = Int((notAfter.timeIntervalSinceNow / 86400).rounded(.down))
            certificateNotAfter = ISO8601DateFormatter().string(from: notAfter)
            certificateDaysLeft = days
            if notAfter < Date() {
                findings.append((2, "server certificate expired"))
            } else if days < thresholds.certificateDays {
                findings.append((1, "server certificate expires in \(days) days (warning at \(thresholds.certificateDays))"))
            }
        }
        if info.hasCrlNextUpdate {
            // Judged by the server's clock: the daemon refuses the CA's handshakes by its own.
            let now = info.hasNow ? info.now.date : Date()
            let nextUpdate = info.crlNextUpdate.date
            let hours = Int((nextUpdate.timeIntervalSince(now) / 3600).rounded(.down))
            crlNextUpdate = ISO8601DateFormatter().string(from: nextUpdate)
            crlHoursLeft = hours
            if nextUpdate < now {
                findings.append(
                    (
                        2,
                        "a CRL is past its nextUpdate: its CA's new handshakes are refused unless tls.crl_grace_period covers it or tls.crl_enforce_next_update = false"
                    ))
            } else if hours < thresholds.crlHours {
                findings.append((1, "a CRL reaches its nextUpdate in \(hours) hours (warning at \(thresholds.crlHours)); load a newer one"))
            }
        }
        operatingMode = ModeCommand.name(info.operatingMode)
        exitCode = findings.map(\.code).max() ?? 0
        message = findings.isEmpty ? "OK" : findings.map(\.text).joined(separator: "; ")
    }

    var text: String {
        var lines = ["\(status)  \(endpoint)  \(message)"]
        if let version { lines.append("version      lifed \(version)") }
        if let uptimeSeconds { lines.append("uptime       \(Self.format(seconds: uptimeSeconds))") }
        if let latencyMilliseconds { lines.append("latency      \(latencyMilliseconds) ms (median Health.Check round trip)") }
        if let certificateNotAfter, let certificateDaysLeft {
            lines.append("certificate  expires \(certificateNotAfter) (\(certificateDaysLeft) days)")
        }
        if let crlNextUpdate, let crlHoursLeft {
            lines.append("crl          next update \(crlNextUpdate) (\(crlHoursLeft) hours)")
        }
        if let operatingMode { lines.append("mode         \(operatingMode)") }
        return lines.joined(separator: "\n")
    }

    private static func format(seconds: Double) -> String {
        let total = Int(seconds)
        let (days, hours, minutes, secs) = (total / 86400, total % 86400 / 3600, total % 3600 / 60, total % 60)
        return days > 0 ? "\(days)d \(hours)h \(minutes)m" : "\(hours)h \(minutes)m \(secs)s"
    }
}

extension Double {
    func rounded(toPlaces places: Int) -> Double {
        let scale = pow(10, Double(places))
        return (self * scale).rounded() / scale
    }
}
