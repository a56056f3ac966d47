import Foundation
import LifeMetrics
import LifeServer
import Logging

/// Everything lifed can be told. Defaults suit a systemd installation; Systemd/lifed.conf.example
/// documents each key. `load(file:overrides:)` parses and validates, naming the key on error.
public struct DaemonConfig: Sendable {
    /// Folder of the database and other state (`data_dir`).
    public var dataDirectory = "/var/lib/lifed"
    /// Path of the admin Unix socket (`unix.path`).
    public var unixPath = "/run/lifed/lifed.sock"
    /// Permission bits of the socket file (`unix.mode`).
    public var unixMode: mode_t = 0o660
    /// Users admitted on the socket, names or uids (`unix.allow_users`).
    public var unixAllowUsers = ["root"]
    /// Groups admitted on the socket, names or gids (`unix.allow_groups`).
    public var unixAllowGroups = ["lifed"]
    /// host:port of the TLS listener; nil disables it (`tls.listen`).
    public var tlsListen: (host: String, port: Int)? = ("0.0.0.0", 7443)
    /// The TLS files and versions (`tls.*`).
    public var tls = TLSSettings(
        certificatePath: "/etc/lifed/tls/server.crt",
        privateKeyPath: "/etc/lifed/tls/server.key",
        clientCAPath: "/etc/lifed/tls/client-ca.pem",
        crlPaths: ["/etc/lifed/tls/client-ca.crl"]
    )
    /// Connection limits (`limits.*`, `tls.handshake_timeout`).
    public var limits = ConnectionLimits()
    /// How long a graceful shutdown waits for calls in flight (`shutdown.grace_period`).
    public var gracePeriod: Duration = .seconds(20)
    /// Log level (`log.level`).
    public var logLevel: Logger.Level = .info
    /// Login rules, password hashing, facility mapping (`auth.*`).
    public var auth = AuthSettings()

    /// Folder that Admin.BackupDatabase writes into (`backup.directory`); nil: `backups` inside
    /// `data_dir`.
    public var backupDirectory: String?

    /// The key that seals the audit chain's head (`audit.anchor_key`), a file outside the data
    /// folder; nil (`none`): the head is not sealed and truncation of the log goes unnoticed.
    public var auditAnchorKeyPath: String? = "/etc/lifed/audit-anchor.key"

    /// How long the recipients' change log keeps entries for watchers that resume
    /// (`recipients.change_retention`).
    public var changeRetention: Duration = .seconds(7 * 86400)

    /// Recipients a bulk re-check job checks in one unit of work (`verification.batch_size`):
    /// larger batches go faster, smaller ones keep ordinary calls waiting less behind them (a
    /// call's audit record waits for the batch its commit joins). 50: the calls first.
    public var verificationBatchSize = 50

    /// The share of time, in percent, a bulk re-check job works (`verification.duty_cycle`): after
    /// each batch it pauses so that it works no more than that. 50 keeps Get p99 under 10 ms while
    /// a job runs on two cores (100, flat out: 24 ms, at twice the re-check rate).
    public var verificationDutyCycle = 50

    /// Where the Prometheus scrape endpoint listens, local only (`metrics.listen`); nil: no
    /// endpoint and nothing recorded.
    public var metricsListen: MetricsAddress?

    /// The SQLite database, inside `data_dir`.
    public var databasePath: String { dataDirectory + "/lifed.sqlite" }

    /// Where backups go: `backup.directory`, or `<data_dir>/backups`.
    public var resolvedBackupDirectory: String { backupDirectory ?? dataDirectory + "/backups" }

    public init() {}

    /// Every key the file may set.
    public static let keys: [String] = [
        "data_dir", "unix.path", "unix.mode", "unix.allow_users", "unix.allow_groups",
        "tls.listen", "tls.certificate", "tls.private_key", "tls.client_ca", "tls.crl",
        "tls.min_version", "tls.handshake_timeout",
        "tls.crl_grace_period", "tls.crl_enforce_next_update", "tls.facility_attribute_ca",
        "limits.max_connections", "limits.max_connections_per_address", "limits.max_concurrent_calls", "limits.max_frame_size",
        "limits.max_header_size", "limits.idle_timeout", "limits.keepalive_interval",
        "limits.keepalive_timeout", "limits.slow_consumer_timeout", "limits.request_timeout", "shutdown.grace_period", "log.level",
        "backup.directory",
        "recipients.change_retention", "verification.batch_size", "verification.duty_cycle", "audit.anchor_key", "metrics.listen",
        "auth.facility_subject_attribute", "auth.check_digit", "auth.lock_after", "auth.lock_duration",
        "auth.session_idle_timeout", "auth.session_lifetime", "auth.cert_failure_burst", "auth.cert_failure_window",
        "auth.password_min_length", "auth.password_min_kinds", "auth.scrypt", "auth.hash_concurrency",
        "auth.login_queue_per_certificate", "auth.login_queue_total",
    ]

    /// Reads the file at `path` (if given), then applies `overrides` (`key=value` each, from the
    /// command line), on top of the defaults — or of `base` when given (the `--dev` layout).
    public static func load(path: String?, overrides: [String], base: DaemonConfig = DaemonConfig()) throws -> DaemonConfig {
        var file = ConfigFile()
        if let path {
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw ConfigError(key: nil, origin: path, reason: "cannot read the configuration file (\(error.localizedDescription))")
            }
            file = try ConfigFile(text: text, name: path)
        }
        for override in overrides {
            try file.set(assignment: override, origin: "--set \(override)", override: true)
        }
        var config = base
        for (key, entry) in file.entries.sorted(by: { $0.key < $1.key }) {
            do {
                try config.apply(key: key, value: entry.value)
            } catch let reason as InvalidValue {
                throw ConfigError(key: key, origin: entry.origin, reason: reason.reason)
            }
        }
        try config.validate()
        return config
    }

    struct InvalidValue: Error {
        let reason: String
    }

    private mutating func apply(key: String, value: String) throws {
        switch key {
        case "data_dir": dataDirectory = try Self.path(value)
        case "unix.path": unixPath = try Self.path(value)
        case "unix.mode":
            guard let mode = mode_t(value, radix: 8), mode <= 0o777 else {
                throw InvalidValue(reason: "expected octal permission bits such as 0660, got `\(value)`")
            }
            unixMode = mode
        case "unix.allow_users": unixAllowUsers = Self.list(value)
        case "unix.allow_groups": unixAllowGroups = Self.list(value)
        case "tls.listen": tlsListen = value.isEmpty ? nil : try Self.hostPort(value)
        case "tls.certificate": tls.certificatePath = try Self.path(value)
        case "tls.private_key": tls.privateKeyPath = try Self.path(value)
        case "tls.client_ca": tls.clientCAPath = try Self.path(value)
        case "tls.crl": tls.crlPaths = Self.list(value)
        case "tls.min_version":
            switch value {
            case "1.3": tls.allowTLS12 = false
            case "1.2": tls.allowTLS12 = true
            default: throw InvalidValue(reason: "expected 1.3 or 1.2, got `\(value)`")
            }
        case "tls.crl_grace_period": tls.crlGracePeriod = try Self.duration(value, allowZero: true).seconds
        case "tls.crl_enforce_next_update": tls.enforceCRLNextUpdate = try Self.boolean(value)
        case "tls.facility_attribute_ca": tls.facilityAttributeCAPath = value.isEmpty ? nil : value
        case "tls.handshake_timeout": limits.handshakeTimeout = try Self.duration(value, allowZero: false)
        case "limits.max_connections": limits.maxConnections = try Self.integer(value, in: 1...1_000_000)
        case "limits.max_connections_per_address": limits.maxConnectionsPerAddress = try Self.integer(value, in: 1...1_000_000)
        case "limits.max_concurrent_calls": limits.maxConcurrentCalls = try Self.integer(value, in: 1...100_000)
        case "limits.max_frame_size": limits.maxFrameSize = UInt32(try Self.integer(value, in: 1024...(64 << 20)))
        case "limits.max_header_size": limits.maxHeaderSize = try Self.integer(value, in: 256...(1 << 20))
        case "limits.idle_timeout": limits.idleTimeout = try Self.duration(value, allowZero: true)
        case "limits.keepalive_interval": limits.keepaliveInterval = try Self.duration(value, allowZero: true)
        case "limits.keepalive_timeout": limits.keepaliveTimeout = try Self.duration(value, allowZero: false)
        case "limits.slow_consumer_timeout": limits.slowConsumerTimeout = try Self.duration(value, allowZero: false)
        case "limits.request_timeout": limits.requestTimeout = try Self.duration(value, allowZero: false)
        case "shutdown.grace_period": gracePeriod = try Self.duration(value, allowZero: true)
        case "audit.anchor_key": auditAnchorKeyPath = value == "none" ? nil : try Self.path(value)
        case "recipients.change_retention": changeRetention = try Self.duration(value, allowZero: false)
        case "verification.batch_size": verificationBatchSize = try Self.integer(value, in: 1...10_000)
        case "verification.duty_cycle": verificationDutyCycle = try Self.integer(value, in: 1...100)
        case "metrics.listen":
            do {
                metricsListen = value.isEmpty ? nil : try MetricsAddress(parsing: value)
            } catch {
                throw InvalidValue(reason: error.description)
            }
        case "backup.directory":
            guard value.isEmpty || value.hasPrefix("/") else { throw InvalidValue(reason: "expected an absolute path, got `\(value)`") }
            backupDirectory = value.isEmpty ? nil : value
        case "log.level":
            guard let level = Logger.Level(rawValue: value) else {
                let names = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
                throw InvalidValue(reason: "expected one of \(names), got `\(value)`")
            }
            logLevel = level
        case "auth.facility_subject_attribute":
            guard value.isEmpty || value.split(separator: ".").allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) else {
                throw InvalidValue(reason: "expected a dotted OID such as 2.5.4.5, or empty, got `\(value)`")
            }
            auth.facilitySubjectAttribute = value.isEmpty ? nil : value
        case "auth.check_digit": auth.checkFacilityNumberDigit = try Self.boolean(value)
        case "auth.lock_after": auth.login.lockAfterFailures = try Self.integer(value, in: 1...100)
        case "auth.lock_duration": auth.login.lockDuration = try Self.duration(value, allowZero: false)
        case "auth.session_idle_timeout": auth.login.sessionIdleTimeout = try Self.duration(value, allowZero: false)
        case "auth.session_lifetime": auth.login.sessionLifetime = try Self.duration(value, allowZero: false)
        case "auth.cert_failure_burst": auth.login.certificateFailureBurst = try Self.integer(value, in: 1...10_000)
        case "auth.cert_failure_window": auth.login.certificateWindow = try Self.duration(value, allowZero: false)
        case "auth.password_min_length": auth.passwords.minimumLength = try Self.integer(value, in: 8...128)
        case "auth.password_min_kinds": auth.passwords.minimumCharacterKinds = try Self.integer(value, in: 1...5)
        case "auth.scrypt": auth.scrypt = try Self.scrypt(value)
        case "auth.hash_concurrency": auth.hashConcurrency = try Self.integer(value, in: 1...64)
        case "auth.login_queue_per_certificate": auth.loginQueuePerCertificate = try Self.integer(value, in: 1...1000)
        case "auth.login_queue_total": auth.loginQueueTotal = try Self.integer(value, in: 1...100_000)
        default:
            throw InvalidValue(reason: "unknown key (known keys: \(Self.keys.joined(separator: ", ")))")
        }
    }

    private func validate() throws {
        if limits.maxHeaderSize > Int(limits.maxFrameSize) {
            throw ConfigError(
                key: "limits.max_header_size",
                origin: "configuration",
                reason: "must not exceed limits.max_frame_size (\(limits.maxFrameSize))"
            )
        }
    }

    // MARK: - Value syntax

    static func path(_ value: String) throws -> String {
        guard !value.isEmpty else { throw InvalidValue(reason: "must not be empty") }
        return value
    }

    static func list(_ value: String) -> [String] {
        value.split(separator: ",").map { String(Substring($0).trimmingWhitespace) }.filter { !$0.isEmpty }
    }

    static func boolean(_ value: String) throws -> Bool {
        switch value {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw InvalidValue(reason: "expected true or false, got `\(value)`")
        }
    }

    /// `ln=15,r=8,p=3`: log2 of N (10…20), block size r (1…32), parallelism p (1…16).
    static func scrypt(_ value: String) throws -> ScryptPasswordHasher.Parameters {
        guard let parameters = ScryptPasswordHasher.Parameters(value), (10...20).contains(parameters.log2N), parameters.p <= 16 else {
            throw InvalidValue(reason: "expected ln=<10…20>,r=<1…32>,p=<1…16> such as ln=15,r=8,p=3, got `\(value)`")
        }
        return parameters
    }

    static func integer(_ value: String, in range: ClosedRange<Int>) throws -> Int {
        guard let number = Int(value), range.contains(number) else {
            throw InvalidValue(reason: "expected a whole number in \(range.lowerBound)...\(range.upperBound), got `\(value)`")
        }
        return number
    }

    /// `250ms`, `10s`, `5m`, `1h`, at most 30 days; `0` alone where zero disables the feature.
    static func duration(_ value: String, allowZero: Bool) throws -> Duration {
        let longestMilliseconds: Int64 = 30 * 24 * 3_600_000
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        if allowZero, value == "0" { return .zero }
        for (suffix, millis) in units where value.hasSuffix(suffix) {
            if let number = Int64(value.dropLast(suffix.count)), number >= 0 {
                let (total, overflow) = number.multipliedReportingOverflow(by: millis)
                guard !overflow, total <= longestMilliseconds, number > 0 || allowZero else { break }
                return .milliseconds(total)
            }
        }
        let zero = allowZero ? " (or 0 to disable)" : ""
        throw InvalidValue(reason: "expected a duration up to 30 days such as 250ms, 10s, 5m or 1h\(zero), got `\(value)`")
    }

    static func hostPort(_ value: String) throws -> (host: String, port: Int) {
        guard let colon = value.lastIndex(of: ":"), let port = Int(value[value.index(after: colon)...]),
            (0...65535).contains(port)
        else {
            throw InvalidValue(reason: "expected host:port such as 0.0.0.0:7443, got `\(value)`")
        }
        var host = String(value[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw InvalidValue(reason: "missing host in `\(value)`") }
        return (host, port)
    }
}
