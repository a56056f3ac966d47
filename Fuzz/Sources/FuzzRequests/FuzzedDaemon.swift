import Foundation
import LifeApp
import LifeCore
import LifeDaemon
import LifeProto
import LifeServer
import LifeStore
import LifeStubs
import LifeWire
import Logging
import SwiftProtobuf

/// lifed's routers over a store of their own, with a facility, its admin and a session made
/// through the real Admin and Auth methods; calls go straight to each method's handler, as
/// `ServerConnection` runs them, with the peer identity of the listener that serves the method.
actor FuzzedDaemon {
    static let shared = FuzzedDaemon()

    /// Calls on one store before it is replaced by a fresh one.
    static let callsPerStore = 20_000
    /// A server-streaming call still running after this is cancelled (Watch methods wait for
    /// changes for ever; the request has been decoded and checked long before).
    static let streamTime: Duration = .milliseconds(5)

    private static let facility = "1312345679"
    private static let loginID = "admin-a"
    private static let initialPassword = "Initial-2026"
    private static let password = "Changed-2026!"
    private static let unixPeer = PeerIdentity.unix(UnixPeer(pid: 1, uid: 0, gid: 0))
    private static let tlsPeer = PeerIdentity.tls(
        TLSPeer(
            fingerprint: String(repeating: "ab", count: 32), subject: "CN=fuzz", serialNumber: "01", remoteAddress: "fuzz",
            certificateDER: []))
    private static let logger = Logger(label: "fuzz", factory: { _ in SwiftLogNoOpLogHandler() })
    /// Stores live here, in memory where /dev/shm exists (removed when the process exits; see
    /// `fuzzRequestsMain`).
    static let folder =
        (access("/dev/shm", W_OK) == 0 ? "/dev/shm" : NSTemporaryDirectory()) + "/lifed-fuzz-requests-\(getpid())"

    private struct Served {
        let routers: DaemonRouters
        let operatingMode: OperatingModeSwitch
        let token: String
    }

    private var served: Served?
    private var calls = 0
    private var generation = 0

    /// Every method, with the router and peer that reach it.
    nonisolated static func methods(of routers: DaemonRouters) -> [(method: MethodDescriptor, router: RPCRouter, peer: PeerIdentity)] {
        routers.tls.methods.map { ($0, routers.tls, tlsPeer) } + routers.unix.methods.map { ($0, routers.unix, unixPeer) }
    }

    /// The paths of `methods`, in order (for the seeds).
    func methodPaths() async -> [String] {
        Self.methods(of: await current().routers).map(\.method.path)
    }

    /// Calls the method at `methodIndex` (modulo their number) with `request`, then checks the
    /// answer and that the daemon still answers.
    func call(methodIndex: Int, flags: UInt8, request: [UInt8]) async {
        let served = await current()
        calls += 1
        let methods = Self.methods(of: served.routers)
        let (method, router, peer) = methods[methodIndex % methods.count]
        var metadata: [String: String] = [:]
        if flags & 1 == 0 {
            metadata["authorization"] = "Bearer " + (flags & 2 == 0 ? served.token : "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
        }
        do {
            _ = try await Self.run(router, method.path, request, peer: peer, metadata: metadata, streaming: method.kind != .unary)
        } catch {
            let status = ErrorMapping.rpcError(for: error, method: method, logger: Self.logger)
            guard status.code != .internal, status.code != .unknown else {
                fatalError("\(method.path) answered \(status.code) to a request a client sent: \(String(reflecting: error))")
            }
            guard (try? status.callStatus.serializedBytes() as [UInt8]) != nil else {
                fatalError("\(method.path): status does not encode: \(status)")
            }
        }
        do {
            let health: Life_V1_HealthCheckResponse = try await Self.call(
                served.routers.unix, "/life.v1.Health/Check", Life_V1_HealthCheckRequest(), peer: Self.unixPeer)
            guard health.status == .serving else { fatalError("after \(method.path), Health.Check answers \(health.status)") }
        } catch {
            fatalError("after \(method.path), Health.Check fails: \(error)")
        }
        // A call may have ended the session (a logout): log in again. If that fails too (the
        // facility, the certificate or the admin was disabled, the password changed) or the
        // daemon was left read-only, the next call starts over on a fresh store, so that later
        // inputs still reach the methods. (Not for every logout: each store's routers hold a
        // password hasher with a thread pool of its own.)
        let whoAmI: Life_V1_WhoAmIResponse? = try? await Self.call(
            served.routers.tls, "/life.v1.Auth/WhoAmI", Life_V1_WhoAmIRequest(), peer: Self.tlsPeer,
            metadata: ["authorization": "Bearer \(served.token)"])
        if served.operatingMode.current.mode != .normal {
            self.served = nil
        } else if whoAmI == nil {
            let login: Life_V1_LoginResponse? = try? await Self.call(
                served.routers.tls, "/life.v1.Auth/Login",
                Life_V1_LoginRequest.with {
                    $0.loginID = Self.loginID
                    $0.password = Self.password
                }, peer: Self.tlsPeer)
            self.served = login.map { Served(routers: served.routers, operatingMode: served.operatingMode, token: $0.sessionToken) }
        }
    }

    /// The daemon serving now, made afresh when there is none or the store has had its calls.
    private func current() async -> Served {
        if let served, calls < Self.callsPerStore { return served }
        calls = 0
        do {
            served = try await start()
        } catch {
            fatalError("cannot set up the daemon: \(String(reflecting: error))")
        }
        return served!
    }

    private func start() async throws -> Served {
        generation += 1
        let manager = FileManager.default
        try? manager.removeItem(atPath: Self.folder)
        var config = DaemonConfig()
        config.dataDirectory = "\(Self.folder)/\(generation)"
        config.auditAnchorKeyPath = nil
        // Cheap hashes: a fuzzed login or password change must not cost a real scrypt.
        config.auth.scrypt = ScryptPasswordHasher.Parameters(log2N: 1, r: 1, p: 1)
        try manager.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
        let storage = try SQLiteStore(path: config.databasePath)
        let health = HealthState(services: [
            Life_V1_Health.serviceName, Life_V1_Auth.serviceName, Life_V1_Staff.serviceName, Life_V1_Recipients.serviceName,
            Life_V1_Verification.serviceName, Life_V1_Admin.serviceName,
        ])
        let operatingMode = try await OperatingModeSwitch(store: storage)
        let routers = DaemonRouters(
            config: config, storage: storage, health: health, operatingMode: operatingMode, tlsMaterial: nil,
            clock: SystemClock(), logger: Self.logger, endConnections: { _ in })
        let _: Life_V1_CreateFacilityResponse = try await Self.call(
            routers.unix, "/life.v1.Admin/CreateFacility",
            Life_V1_CreateFacilityRequest.with {
                $0.facility.facilityNumber = Self.facility
                $0.facility.name = "施設A"
            }, peer: Self.unixPeer)
        let _: Life_V1_CreateFacilityAdminResponse = try await Self.call(
            routers.unix, "/life.v1.Admin/CreateFacilityAdmin",
            Life_V1_CreateFacilityAdminRequest.with {
                $0.facilityNumber = Self.facility
                $0.loginID = Self.loginID
                $0.displayName = "管理者"
                $0.initialPassword = Self.initialPassword
            }, peer: Self.unixPeer)
        guard case .tls(let tlsPeer) = Self.tlsPeer else { fatalError("the TLS peer is not one") }
        let _: Life_V1_CreateCertificateRegistrationResponse = try await Self.call(
            routers.unix, "/life.v1.Admin/CreateCertificateRegistration",
            Life_V1_CreateCertificateRegistrationRequest.with {
                $0.facilityNumber = Self.facility
                $0.fingerprint = tlsPeer.fingerprint
            }, peer: Self.unixPeer)
        let login: Life_V1_LoginResponse = try await Self.call(
            routers.tls, "/life.v1.Auth/Login",
            Life_V1_LoginRequest.with {
                $0.loginID = Self.loginID
                $0.password = Self.initialPassword
            }, peer: Self.tlsPeer)
        let _: Life_V1_ChangePasswordResponse = try await Self.call(
            routers.tls, "/life.v1.Auth/ChangePassword",
            Life_V1_ChangePasswordRequest.with {
                $0.oldPassword = Self.initialPassword
                $0.newPassword = Self.password
            }, peer: Self.tlsPeer, metadata: ["authorization": "Bearer \(login.sessionToken)"])
        return Served(routers: routers, operatingMode: operatingMode, token: login.sessionToken)
    }

    /// A unary call with typed request and response, for the setup and the checks.
    private static func call<Response: SwiftProtobuf.Message>(
        _ router: RPCRouter, _ path: String, _ request: some SwiftProtobuf.Message, peer: PeerIdentity, metadata: [String: String] = [:]
    ) async throws -> Response {
        let bytes = try await run(router, path, try request.serializedBytes(), peer: peer, metadata: metadata, streaming: false)
        return try Response(serializedBytes: bytes ?? [])
    }

    /// Runs one call's handler as the server does; a streaming call is cancelled after
    /// `streamTime`, as its client's CANCEL would.
    private static func run(
        _ router: RPCRouter, _ path: String, _ request: [UInt8], peer: PeerIdentity, metadata: [String: String], streaming: Bool
    ) async throws -> [UInt8]? {
        guard let handler = router.handler(forPath: path) else { fatalError("\(path) is not registered") }
        let context = ServerCallContext(method: handler.method, callID: 1, metadata: metadata, deadline: .never, peer: peer)
        guard streaming else { return try await handler.run(request: request, context: context, sink: { _ in }) }
        let call = Task { try await handler.run(request: request, context: context, sink: { _ in }) }
        let watchdog = Task {
            try await Task.sleep(for: streamTime)
            call.cancel()
        }
        defer { watchdog.cancel() }
        return try await call.value
    }
}
