import Foundation
import LifeCore
import LifeProto
import LifeStubs
import LifeWire

/// life.v1.Health: grpc.health.v1 semantics plus server information for `lifectl probe`.
public struct HealthService: Life_V1_HealthService {
    private let state: HealthState
    private let certificateNotAfter: @Sendable () -> Date?
    private let crlNextUpdate: @Sendable () -> Date?
    private let operatingMode: @Sendable () -> OperatingMode

    /// `certificateNotAfter` and `crlNextUpdate` read the TLS material in force (nil: none).
    public init(
        state: HealthState, certificateNotAfter: @escaping @Sendable () -> Date?,
        crlNextUpdate: @escaping @Sendable () -> Date? = { nil }, operatingMode: @escaping @Sendable () -> OperatingMode = { .normal }
    ) {
        self.state = state
        self.operatingMode = operatingMode
        self.certificateNotAfter = certificateNotAfter
        self.crlNextUpdate = crlNextUpdate
    }

    public func check(_ request: Life_V1_HealthCheckRequest, context: ServerCallContext) async throws -> Life_V1_HealthCheckResponse {
        guard isKnown(request.service) else {
            throw RPCError(.notFound, "unknown service \"\(request.service)\"")
        }
        var response = Life_V1_HealthCheckResponse()
        response.status = servingStatus(state.status)
        response.server = serverInfo()
        return response
    }

    public func watch(
        _ request: Life_V1_HealthWatchRequest,
        context: ServerCallContext,
        responses: ResponseStreamWriter<Life_V1_HealthWatchResponse>
    ) async throws {
        guard isKnown(request.service) else {
            // grpc.health.v1: an unknown service is reported, and the stream stays open (here:
            // until the caller leaves or the server shuts down).
            try await responses.write(watchResponse(.serviceUnknown))
            for await _ in state.updates() {}
            try Task.checkCancellation()
            return
        }
        var last: HealthState.Status?
        for await status in state.updates() where status != last {
            last = status
            try await responses.write(watchResponse(servingStatus(status)))
        }
        try Task.checkCancellation()
    }

    private func isKnown(_ service: String) -> Bool {
        service.isEmpty || state.services.contains(service)
    }

    private func watchResponse(_ status: Life_V1_ServingStatus) -> Life_V1_HealthWatchResponse {
        var response = Life_V1_HealthWatchResponse()
        response.status = status
        response.server = serverInfo()
        return response
    }

    private func servingStatus(_ status: HealthState.Status) -> Life_V1_ServingStatus {
        switch status {
        case .serving: .serving
        case .notServing: .notServing
        }
    }

    private func serverInfo() -> Life_V1_ServerInfo {
        let now = Date()
        var info = Life_V1_ServerInfo()
        info.version = LifedVersion.current
        info.startedAt = Life_V1_Timestamp(state.startedAt)
        info.now = Life_V1_Timestamp(now)
        info.uptimeMs = UInt64(max(0, now.timeIntervalSince(state.startedAt) * 1000))
        if let notAfter = certificateNotAfter() {
            info.certificateNotAfter = Life_V1_Timestamp(notAfter)
        }
        if let nextUpdate = crlNextUpdate() {
            info.crlNextUpdate = Life_V1_Timestamp(nextUpdate)
        }
        info.operatingMode = Life_V1_OperatingMode(rawValue: operatingMode().rawValue) ?? .unspecified
        return info
    }
}
