/// An error a client is told about, with the code that names it on the wire (see docs/protocol.md).
public struct ProtocolError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The error codes of the protocol.
    public enum Code: String, Sendable, Codable {
        case badRequest = "bad-request"
        case badMessage = "bad-message"
        case unauthorized
        case forbidden
        /// An interpreter key used on a booth it does not belong to.
        case wrongBooth = "wrong-booth"
        /// A booth source that would close a relay loop.
        case relayLoop = "relay-loop"
        case unknownEvent = "unknown-event"
        case unknownChannel = "unknown-channel"
        case notFound = "not-found"
        case floorBusy = "floor-busy"
        case tooLarge = "too-large"
        /// Too many messages too fast (chat, signals).
        case tooMany = "too-many"
        case internalError = "internal-error"

        /// The HTTP status for this code.
        public var httpStatus: Int {
            switch self {
            case .badRequest, .badMessage: 400
            case .unauthorized: 401
            case .forbidden, .wrongBooth: 403
            case .unknownEvent, .unknownChannel, .notFound: 404
            case .floorBusy, .relayLoop: 409
            case .tooLarge: 413
            case .tooMany: 429
            case .internalError: 500
            }
        }

        /// The WebSocket close code for this code (4000 + the HTTP status).
        public var closeCode: UInt16 { UInt16(4000 + httpStatus) }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }

    public static func unknownEvent(_ code: String) -> ProtocolError {
        ProtocolError(.unknownEvent, "No event has the join code \(code).")
    }

    public static func unknownChannel(_ channel: String, in event: EventDefinition) -> ProtocolError {
        ProtocolError(.unknownChannel, "Event \(event.code) has no channel '\(channel)'. Its channels: \(event.channels.map(\.description).joined(separator: ", ")).")
    }
}
