import Foundation
import LifeApp
import LifeCore
import LifeMetrics
import LifeServer
import LifeStore
import LifeStubs
import LifeWire
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization
import UnixSignals

/// The composition root: builds every part of lifed from a `DaemonConfig`, binds the listeners,
/// and runs them in one `ServiceGroup`. `lifed` and the tests both go through `build`.
public final class Daemon: Sendable {
    /// Where the configuration came from, so SIGHUP can read it again.
    public struct ConfigSource: Sendable {
        public var path: String?
        public var overrides: [String]
        public var base: DaemonConfig

        public init(path: String?, overrides: [String] = [], base: DaemonConfig = DaemonConfig()) {
            self.path = path
            self.overrides = overrides
            self.base = base
        }

        public func load() throws -> DaemonConfig {
            try DaemonConfig.load(path: path, overrides: overrides, base: base)
        }
    }

    public let config: DaemonConfig
    public let unixListener: Listener
    public let tlsListener: Listener?
    /// The Prometheus scrape endpoint; nil unless `metrics.listen` is set.
    public let metricsEndpoint: MetricsEndpoint?
    public let health: HealthState
    private let source: ConfigSource
    private let tlsMaterial: Reloadable<TLSMaterial>?
    private let limits: Reloadable<ConnectionLimits>
    private let unixPolicy: Reloadable<UnixPeerPolicy>
    private let notifier: SystemdNotifier
    private let logger: Logger
    private let storage: any LifeStorage
    private let changes: ChangeSignal
    private let verificationJobs: VerificationJobRunner
    private let operatingMode: OperatingModeSwitch
    private let running = Mutex<(group: ServiceGroup?, stopRequested: Bool)>((nil, false))

    private init(
        config: DaemonConfig,
        unixListener: Listener,
        tlsListener: Listener?,
        metricsEndpoint: MetricsEndpoint?,
        health: HealthState,
        source: ConfigSource,
        tlsMaterial: Reloadable<TLSMaterial>?,
        limits: Reloadable<ConnectionLimits>,
        unixPolicy: Reloadable<UnixPeerPolicy>,
        notifier: SystemdNotifier,
        logger: Logger,
        storage: any LifeStorage,
        changes: ChangeSignal,
        verificationJobs: VerificationJobRunner,
        operatingMode: OperatingModeSwitch
    ) {
        self.config = config
        self.unixListener = unixListener
        self.tlsListener = tlsListener
        self.metricsEndpoint = metricsEndpoint
        self.health = health
        self.source = source
        self.tlsMaterial = tlsMaterial
        self.limits = limits
        self.unixPolicy = unixPolicy
        self.notifier = notifier
        self.logger = logger
        self.storage = storage
        self.changes = changes
        self.verificationJobs = verificationJobs
        self.operatingMode = operatingMode
        operatingMode.observe { [weak self, logger, notifier] state in
            logger.notice("operating mode set to \(state.mode)", metadata: ["reason": "\(state.reason)"])
            if let self { notifier.send("STATUS=\(self.statusLine)") }
        }
    }

    /// Loads the configuration, checks the TLS files, opens the database (migrating it) and binds
    /// both listeners. Nothing is served until `run()`. `connectionSetupHook` (tests only) runs in
    /// the setup of every accepted connection (see `Listener.SetupHook`); `clock` is where login,
    /// session and recipient rules read the time (tests move it instead of sleeping). `sockets`
    /// are the listening sockets systemd passed (socket activation): a listener that gets one
    /// serves it instead of binding its own.
    public static func build(
        source: ConfigSource,
        logger: Logger,
        sockets: PassedSockets = .none,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        notifier: SystemdNotifier = SystemdNotifier(),
        connectionSetupHook: Listener.SetupHook? = nil,
        clock: any WallClock = SystemClock()
    ) async throws -> Daemon {
        let config = try source.load()
        let passed = try sockets.assign(unixPath: config.unixPath, tlsListen: config.tlsListen)
        for warning in passed.warnings { logger.warning("\(warning)") }
        try FileManager.default.createDirectory(
            atPath: config.dataDirectory,
            withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700]
        )
        prepareBackupFolder(config.resolvedBackupDirectory, logger: logger)
        let tlsMaterial = try config.tlsListen.map { _ in Reloadable(try TLSMaterial.load(config.tls)) }
        let limits = Reloadable(config.limits)
        let unixPolicy = Reloadable(config.unixPeerPolicy(logger: logger))
        let anchorKey = try config.auditAnchorKey()
        if anchorKey == nil {
            logger.warning("audit.anchor_key is none: the audit chain's head is not sealed, so deleting the newest records goes unnoticed")
        }
        // Per daemon, not process-wide: see DaemonMetrics.
        let metrics = DaemonMetrics(enabled: config.metricsListen != nil)
        let storage = try SQLiteStore(path: config.databasePath, auditAnchorKey: anchorKey, metrics: metrics.factory)
        let health = HealthState(services: [
            Life_V1_Health.serviceName, Life_V1_Auth.serviceName, Life_V1_Staff.serviceName, Life_V1_Recipients.serviceName,
            Life_V1_Verification.serviceName, Life_V1_Admin.serviceName,
        ])
        let operatingMode = try await OperatingModeSwitch(store: storage, clock: clock)
        // Bound below; revoking a certificate registration ends that certificate's connections.
        let tlsConnections = Reloadable<Listener?>(nil)
        let routers = DaemonRouters(
            config: config, storage: storage, health: health, operatingMode: operatingMode, tlsMaterial: tlsMaterial,
            metrics: metrics.factory, clock: clock, logger: logger,
            endConnections: { fingerprint in _ = tlsConnections.current?.dropConnections(presenting: fingerprint) })
        let (changes, verificationJobs) = (routers.changes, routers.verificationJobs)

        let unixListener = try await Listener.bindUnix(
            path: config.unixPath,
            mode: config.unixMode,
            passedSocket: passed.unix?.descriptor,
            policy: unixPolicy,
            router: routers.unix,
            limits: limits,
            group: group,
            logger: logger,
            metrics: metrics.factory,
            setupHook: connectionSetupHook
        )
        var tlsListener: Listener?
        if let listen = config.tlsListen, let tlsMaterial {
            do {
                tlsListener = try await Listener.bindTLS(
                    host: listen.host,
                    port: listen.port,
                    passedSocket: passed.tls?.descriptor,
                    material: tlsMaterial,
                    router: routers.tls,
                    limits: limits,
                    group: group,
                    logger: logger,
                    metrics: metrics.factory,
                    setupHook: connectionSetupHook,
                    admitted: routers.certificateSeen
                )
            } catch {
                await unixListener.drain()
                throw ListenerError(description: "cannot listen on \(listen.host):\(listen.port) (tls.listen): \(error)")
            }
        }
        tlsConnections.replace(with: tlsListener)
        var metricsEndpoint: MetricsEndpoint?
        if let address = config.metricsListen, let registry = metrics.registry {
            let listeners = [unixListener] + (tlsListener.map { [$0] } ?? [])
            do {
                metricsEndpoint = try await MetricsEndpoint.bind(
                    address, registry: registry,
                    beforeScrape: metrics.scrapeGauges(listeners: listeners, databasePath: config.databasePath), group: group,
                    logger: logger)
            } catch {
                for listener in listeners { await listener.drain() }
                throw ListenerError(description: "cannot listen on \(address) (metrics.listen): \(error)")
            }
        }
        return Daemon(
            config: config,
            unixListener: unixListener,
            tlsListener: tlsListener,
            metricsEndpoint: metricsEndpoint,
            health: health,
            source: source,
            tlsMaterial: tlsMaterial,
            limits: limits,
            unixPolicy: unixPolicy,
            notifier: notifier,
            logger: logger,
            storage: storage,
            changes: changes,
            verificationJobs: verificationJobs,
            operatingMode: operatingMode
        )
    }

    /// One line saying where the daemon serves.
    public var statusLine: String {
        var parts = ["unix \(unixListener.address)"]
        if let tlsListener { parts.append("tls \(tlsListener.address)") }
        if let metricsEndpoint { parts.append("metrics \(metricsEndpoint.address)") }
        let mode = operatingMode.current
        return "serving on " + parts.joined(separator: ", ") + (mode.mode == .normal ? "" : "; mode \(mode.mode) (\(mode.reason))")
    }

    /// Serves until SIGTERM/SIGINT (graceful: GOAWAY, calls in flight finish within the grace
    /// period) or until the task is cancelled. SIGHUP reloads.
    public func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            auxiliary(ReloadSignalService(daemon: self, hangups: hangups)),
            auxiliary(ReadyNotifier(notifier: notifier, status: statusLine)),
            auxiliary(sessionSweep),
            auxiliary(changeLogSweep),
            auxiliary(BackgroundWork(work: verificationJobs.run)),
            auxiliary(staleCRLSweep),
        ]
        if let interval = notifier.watchdogInterval {
            services.append(auxiliary(WatchdogService(notifier: notifier, interval: interval)))
        }
        services.append(.init(service: unixListener))
        if let tlsListener { services.append(.init(service: tlsListener)) }
        if let metricsEndpoint { services.append(auxiliary(metricsEndpoint)) }
        let listeners = [unixListener] + (tlsListener.map { [$0] } ?? [])
        services.append(
            auxiliary(ShutdownAnnouncer(health: health, changes: changes, listeners: listeners, notifier: notifier, logger: logger)))

        var configuration = ServiceGroupConfiguration(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        configuration.maximumGracefulShutdownDuration = config.gracePeriod
        let group = ServiceGroup(configuration: configuration)
        let stopRequested = running.withLock { state in
            state.group = group
            return state.stopRequested
        }
        if stopRequested { await group.triggerGracefulShutdown() }
        logger.info("lifed \(LifedVersion.current) \(statusLine)")
        try await group.run()
        logger.info("lifed stopped")
    }

    /// Starts a graceful shutdown, as SIGTERM does.
    public func shutdown() async {
        let group = running.withLock { state in
            state.stopRequested = true
            return state.group
        }
        await group?.triggerGracefulShutdown()
    }

    /// Re-reads the configuration and TLS files. New connections use the new certificates, CA
    /// bundle, CRLs, limits and socket allow-list; open connections go on, except those whose
    /// client certificate a new CRL revokes, which end at once. A bad file keeps everything as it
    /// was. Returns whether the reload took effect.
    @discardableResult
    public func reload() -> Bool {
        notifier.reloading()
        defer { notifier.reloaded(status: statusLine) }
        do {
            let fresh = try source.load()
            let material = try fresh.tlsListen.map { _ in try TLSMaterial.load(fresh.tls) }
            if let material {
                tlsMaterial?.replace(with: material)
                let dropped = tlsListener?.dropConnections(revokedBy: material) ?? 0
                if dropped > 0 {
                    logger.notice(
                        "closed \(dropped) connection(s) whose client certificate the new CRL revokes (or whose CA's CRL is not current)")
                }
            }
            limits.replace(with: fresh.limits)
            unixPolicy.replace(with: fresh.unixPeerPolicy(logger: logger))
            for key in restartOnlyKeys(fresh) {
                logger.warning("\(key) changed; it takes effect at the next restart")
            }
            logger.info("reloaded configuration", metadata: ["crls": "\(material?.crlCount ?? 0)"])
            return true
        } catch {
            logger.error("reload failed; keeping the previous configuration: \(error)")
            return false
        }
    }

    private func restartOnlyKeys(_ fresh: DaemonConfig) -> [String] {
        var keys: [String] = []
        if fresh.unixPath != config.unixPath || fresh.unixMode != config.unixMode { keys.append("unix.path/unix.mode") }
        if fresh.tlsListen?.host != config.tlsListen?.host || fresh.tlsListen?.port != config.tlsListen?.port {
            keys.append("tls.listen")
        }
        if fresh.dataDirectory != config.dataDirectory { keys.append("data_dir") }
        if fresh.metricsListen != config.metricsListen { keys.append("metrics.listen") }
        if fresh.logLevel != config.logLevel { keys.append("log.level") }
        if fresh.resolvedBackupDirectory != config.resolvedBackupDirectory { keys.append("backup.directory") }
        if fresh.gracePeriod != config.gracePeriod { keys.append("shutdown.grace_period") }
        if fresh.auth != config.auth { keys.append("auth.*") }
        return keys
    }

    /// Creates the backup folder if missing (0700), and warns at start, not at the first
    /// backup, when the daemon cannot write there (outside the unit's writable paths, say).
    private static func prepareBackupFolder(_ folder: String, logger: Logger) {
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if access(folder, W_OK) != 0 {
            let reason = String(cString: strerror(errno))
            logger.warning("backups will fail: cannot write to \(folder) (backup.directory): \(reason)")
        }
    }

    /// Deletes ended sessions hourly: a token hash that no longer logs anyone in has no reason
    /// to stay.
    private var sessionSweep: PeriodicSweep {
        let (storage, idle) = (storage, config.auth.login.sessionIdleTimeout)
        return PeriodicSweep(what: "ended session(s)", logger: logger) {
            let now = Date()
            return try await storage.unitOfWork { unit in
                try unit.deleteEndedSessions(endedBefore: now, idleBefore: now.addingTimeInterval(-idle.seconds))
            }
        }
    }

    /// Prunes the recipients' change log hourly to `recipients.change_retention`: a watcher
    /// resuming from an older position gets OUT_OF_RANGE and lists again.
    private var changeLogSweep: PeriodicSweep {
        let (storage, retention) = (storage, config.changeRetention)
        return PeriodicSweep(what: "change-log entr(ies) past the retention", logger: logger) {
            let cutoff = Date().addingTimeInterval(-retention.seconds)
            return try await storage.unitOfWork { try $0.pruneChanges(before: cutoff) }
        }
    }

    /// Ends, every minute, the TLS connections whose CA's CRL has gone stale since they were
    /// admitted (see `sweepStaleCRLConnections`).
    private var staleCRLSweep: PeriodicSweep {
        PeriodicSweep(what: "TLS connection(s) whose CA's CRL is not current", done: "closed", logger: logger, interval: .seconds(60)) {
            [self] in sweepStaleCRLConnections()
        }
    }

    /// Ends the TLS connections a CRL that is not current at `now` (past nextUpdate +
    /// `tls.crl_grace_period`, enforced) would refuse at a new handshake; returns how many. Costs
    /// nothing while every CRL is current.
    @discardableResult
    public func sweepStaleCRLConnections(at now: Date = Date()) -> Int {
        guard let tlsListener, let material = tlsMaterial?.current, material.refusesSomeCA(at: now) else { return 0 }
        return tlsListener.dropConnections(refusedBy: material, at: now)
    }

    private func auxiliary(_ service: some Service) -> ServiceGroupConfiguration.ServiceConfiguration {
        .init(service: service, successTerminationBehavior: .ignore, failureTerminationBehavior: .gracefullyShutdownGroup)
    }
}
