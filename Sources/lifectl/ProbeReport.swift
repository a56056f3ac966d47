import Foundation
import LifeProto

/// The outcome of `lifectl probe`, as text or JSON.
struct ProbeReport: Encodable {
    var status = "UNREACHABLE"
    var endpoint: String
    var version: String?
    var uptimeSeconds: Double?
    var latencyMilliseconds: Double?
    var certificateNotAfter: String?
    var certificateDaysLeft: Int?
    var exitCode: Int32 = 2
    var message: String = ""

    enum CodingKeys: String, CodingKey {
        case status, endpoint, version, message
        case uptimeSeconds = "uptime_seconds"
        case latencyMilliseconds = "latency_ms"
        case certificateNotAfter = "certificate_not_after"
        case certificateDaysLeft = "certificate_days_left"
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

    mutating func record(response: Life_V1_HealthCheckResponse, latencies: [Duration], warnDays: Int) {
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
        exitCode = 0
        message = "OK"
        if info.hasCertificateNotAfter {
            let notAfter = Date(timeIntervalSince1970: TimeInterval(info.certificateNotAfter.seconds))
            let days = Int((notAfter.timeIntervalSinceNow / 86400).rounded(.down))
            certificateNotAfter = ISO8601DateFormatter().string(from: notAfter)
            certificateDaysLeft = days
            if notAfter < Date() {
                exitCode = 2
                message = "server certificate expired"
            } else if days < warnDays {
                exitCode = 1
                message = "server certificate expires in \(days) days (warning at \(warnDays))"
            }
        }
    }

    var text: String {
        var lines = ["\(status)  \(endpoint)  \(message)"]
        if let version { lines.append("version      lifed \(version)") }
        if let uptimeSeconds { lines.append("uptime       \(Self.format(seconds: uptimeSeconds))") }
        if let latencyMilliseconds { lines.append("latency      \(latencyMilliseconds) ms (median Health.Check round trip)") }
        if let certificateNotAfter, let certificateDaysLeft {
            lines.append("certificate  expires \(certificateNotAfter) (\(certificateDaysLeft) days)")
        }
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
