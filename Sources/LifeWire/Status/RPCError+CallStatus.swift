import LifeProto

extension RPCError {
    /// The error a trailer carries; nil when the trailer says OK.
    public init?(status: Life_V1_CallStatus) {
        let code = Code(rawValue: status.code.rawValue) ?? .unknown
        guard code != .ok else { return nil }
        self.init(
            code,
            status.message,
            reason: status.details.reason,
            fieldViolations: status.details.fieldViolations.map {
                FieldViolation(field: $0.field, reason: $0.reason, description: $0.description_p)
            },
            retryAfterMilliseconds: status.details.retryAfterMs
        )
    }

    /// The trailer payload for this error.
    public var callStatus: Life_V1_CallStatus {
        var status = Life_V1_CallStatus()
        status.code = Life_V1_StatusCode(rawValue: code.rawValue) ?? .unknown
        status.message = message
        if !reason.isEmpty || !fieldViolations.isEmpty || retryAfterMilliseconds > 0 {
            status.details.reason = reason
            status.details.fieldViolations = fieldViolations.map { violation in
                var proto = Life_V1_FieldViolation()
                proto.field = violation.field
                proto.reason = violation.reason
                proto.description_p = violation.description
                return proto
            }
            status.details.retryAfterMs = retryAfterMilliseconds
        }
        return status
    }
}
