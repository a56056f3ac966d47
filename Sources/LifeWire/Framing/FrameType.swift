/// The kinds of LRPC v1 frames (docs/PROTOCOL.md §4).
public enum FrameType: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Connection parameters, server to client, call id 0. Payload: `life.v1.Settings`.
    case settings = 0x01
    /// Opens a call, client to server. Payload: `life.v1.CallHeader`.
    case headers = 0x02
    /// One protobuf message of a call, either direction. Flag END_STREAM on the client's last.
    case message = 0x03
    /// Ends a call, server to client. Payload: `life.v1.CallStatus`.
    case trailer = 0x04
    /// Abandons a call, client to server, empty payload.
    case cancel = 0x05
    /// Liveness check, either direction, call id 0, 8 opaque bytes; flag ACK on the answer.
    case ping = 0x06
    /// The server will close the connection, call id 0. Payload: `life.v1.GoAway`.
    case goAway = 0x07

    /// Whether frames of this type belong to the connection (call id 0) rather than to a call.
    public var isConnectionLevel: Bool {
        switch self {
        case .settings, .ping, .goAway: true
        case .headers, .message, .trailer, .cancel: false
        }
    }

    public var description: String {
        switch self {
        case .settings: "SETTINGS"
        case .headers: "HEADERS"
        case .message: "MESSAGE"
        case .trailer: "TRAILER"
        case .cancel: "CANCEL"
        case .ping: "PING"
        case .goAway: "GOAWAY"
        }
    }
}
