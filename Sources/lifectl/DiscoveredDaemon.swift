import Foundation

/// What `lifed --dev` wrote into ./lifed-dev/lifectl.conf: where that daemon listens.
struct DiscoveredDaemon {
    var socket: String?
    var tls: String?
    var ca: String?
    var cert: String?
    var key: String?

    static let path = "lifed-dev/lifectl.conf"

    static func load() -> DiscoveredDaemon? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        var found = DiscoveredDaemon()
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            switch parts[0] {
            case "socket": found.socket = parts[1]
            case "tls": found.tls = parts[1]
            case "ca": found.ca = parts[1]
            case "cert": found.cert = parts[1]
            case "key": found.key = parts[1]
            default: continue
            }
        }
        return found
    }
}
