import LifeApp
import LifeCore
import LifeServer
import LifeStore
import LifeWire
import Logging
import Metrics

/// The two routers lifed serves, with every service registered behind the call gate: TLS (what
/// facilities' appliances call) and Unix (what operators call; admin only there). One function
/// builds them so that `Daemon.build` and Fuzz/ (FuzzRequests, which feeds every registered
/// method) serve exactly the same methods through the same gate and use cases.
public struct DaemonRouters: Sendable {
    public let tls: RPCRouter
    public let unix: RPCRouter
    /// What the routers' use cases signal when recipients change (the daemon's shutdown wakes the
    /// streams waiting on it).
    let changes: ChangeSignal
    /// Runs the verification jobs the calls queue; the daemon runs it as a background service.
    let verificationJobs: VerificationJobRunner
    /// Notes each certificate whose handshake the TLS listener admits, for `lifectl cert readiness`.
    let certificateSeen: @Sendable (TLSPeer) async -> Void

    /// `endConnections` ends the TLS connections presenting a certificate (SHA-256 fingerprint)
    /// whose registration was revoked.
    public init(
        config: DaemonConfig,
        storage: SQLiteStore,
        health: HealthState,
        operatingMode: OperatingModeSwitch,
        tlsMaterial: Reloadable<TLSMaterial>?,
        metrics: any MetricsFactory = NOOPMetricsHandler.instance,
        clock: any WallClock,
        logger: Logger,
        endConnections: @escaping @Sendable (String) -> Void
    ) {
        let hasher = ScryptPasswordHasher(parameters: config.auth.scrypt, concurrency: config.auth.hashConcurrency)
        // Made in the background: no password hash stands between a start and serving.
        let dummyHash = Task { try await hasher.hash(DummyPassword.password) }
        let healthService = HealthService(
            state: health, certificateNotAfter: { tlsMaterial?.current.serverCertificateNotAfter },
            crlNextUpdate: { tlsMaterial?.current.crlNextUpdate }, operatingMode: { operatingMode.current.mode })
        // Every call passes the gate: it proves the caller the method needs and audits failures.
        let auth = AuthUseCases(
            store: storage, hasher: hasher, policy: config.auth.login, passwords: config.auth.passwords,
            dummyHash: { try await dummyHash.value },
            admission: FairAdmission(
                slots: config.auth.hashConcurrency, perKey: config.auth.loginQueuePerCertificate, total: config.auth.loginQueueTotal),
            clock: clock, metrics: metrics)
        let readiness = CertificateReadinessUseCases(store: storage, clock: clock)
        let facilityAttribute = FacilityAttribute(settings: config.auth)
        let gate = CallGate(auth: auth, store: storage, clock: clock, mode: { operatingMode.current })
        certificateSeen = { [logger] peer in
            do {
                try await readiness.sighted(fingerprint: peer.fingerprint) {
                    (facilityAttribute.facility(of: peer), peer.certificateNotAfter)
                }
            } catch {
                logger.warning("could not note a certificate for the readiness report: \(error)")
            }
        }
        // Counted around the gate, so the calls it refuses count too.
        let metered = CallMetering(gate, factory: metrics)
        var tls = RPCRouter(interceptor: metered)
        healthService.register(in: &tls)
        AuthService(auth: auth, settings: config.auth, clock: clock).register(in: &tls)
        StaffService(staff: StaffUseCases(store: storage, hasher: hasher, passwords: config.auth.passwords, clock: clock))
            .register(in: &tls)
        let changes = ChangeSignal()
        let verifier = EligibilityVerifier()
        let verificationJobs = VerificationJobRunner(
            store: storage, verifier: verifier, clock: clock, signal: changes, batchSize: config.verificationBatchSize,
            dutyCycle: Double(config.verificationDutyCycle) / 100, logger: logger,
            metrics: metrics)
        let recipients = RecipientUseCases(store: storage, clock: clock, signal: changes, verifier: verifier)
        RecipientsService(useCases: recipients).register(in: &tls)
        VerificationService(
            verification: VerificationUseCases(store: storage, verifier: verifier, runner: verificationJobs, signal: changes, clock: clock),
            recipients: recipients
        )
        .register(in: &tls)
        var unix = RPCRouter(interceptor: metered)
        healthService.register(in: &unix)
        AdminService(
            admin: AdminUseCases(storage: storage, hasher: hasher, passwords: config.auth.passwords, clock: clock),
            registry: RegistryUseCases(store: storage, runner: verificationJobs, clock: clock),
            migration: MigrationUseCases(
                store: storage, clock: clock, verifier: verifier, signal: changes, checkFacilityDigit: config.auth.checkFacilityNumberDigit),
            operatingMode: operatingMode,
            readiness: readiness,
            settings: config.auth,
            backups: BackupDestination(directory: config.resolvedBackupDirectory), clock: clock,
            endConnections: endConnections
        )
        .register(in: &unix)
        (self.tls, self.unix, self.changes, self.verificationJobs) = (tls, unix, changes, verificationJobs)
    }
}
