import LifeProto

extension WireError {
    /// The GOAWAY reason that tells the peer why the connection ends.
    public var goAwayReason: Life_V1_GoAwayReason {
        switch self {
        case .badPreface: .badPreface
        case .unsupportedVersion: .unsupportedVersion
        case .frameTooLarge: .frameTooLarge
        case .unknownFrameType, .malformedFrame, .truncated, .protocolViolation: .protocolError
        }
    }
}
