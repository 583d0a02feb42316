/// An error a client is told about, with the code that names it on the wire (see docs/protocol.md).
public struct ProtocolError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Every error code of the protocol: the one table that gives each its HTTP status, its WebSocket
    /// close code and its meaning. The table in docs/protocol.md is `Code.markdownTable`, and a test
    /// keeps the two the same.
    public enum Code: String, Sendable, Codable, CaseIterable {
        case badRequest = "bad-request"
        case badMessage = "bad-message"
        case unauthorized
        case forbidden
        /// An interpreter key used on a booth it does not belong to.
        case wrongBooth = "wrong-booth"
        /// An output that would take a confidential event out of the room (a relay, an Ogg stream).
        case confidential
        case unknownEvent = "unknown-event"
        case unknownChannel = "unknown-channel"
        case notFound = "not-found"
        case floorBusy = "floor-busy"
        /// A booth source that would close a relay loop.
        case relayLoop = "relay-loop"
        // The booth microphone's refusals (`BoothMicrophone.Refusal`).
        case notOnline = "not-online"
        case micBusy = "mic-busy"
        case notLive = "not-live"
        case noPartner = "no-partner"
        case nothingToAccept = "nothing-to-accept"
        case notAccepted = "not-accepted"
        case nothingToCancel = "nothing-to-cancel"
        /// A live console sent no microphone audio for a second and was taken off air.
        case noAudio = "no-audio"
        case tooLarge = "too-large"
        /// Too many messages too fast (chat, signals).
        case tooMany = "too-many"
        /// Too many wrong credentials from one address: it must wait before trying again.
        case lockedOut = "locked-out"
        case internalError = "internal-error"

        /// The HTTP status for this code.
        public var httpStatus: Int {
            switch self {
            case .badRequest, .badMessage: 400
            case .unauthorized: 401
            case .forbidden, .wrongBooth, .confidential: 403
            case .unknownEvent, .unknownChannel, .notFound: 404
            case .noAudio: 408
            case .floorBusy, .relayLoop, .notOnline, .micBusy, .notLive, .noPartner, .nothingToAccept, .notAccepted,
                .nothingToCancel:
                409
            case .tooLarge: 413
            case .tooMany, .lockedOut: 429
            case .internalError: 500
            }
        }

        /// The WebSocket close code for this code (4000 + the HTTP status), when the error ends a connection.
        public var closeCode: UInt16 { UInt16(4000 + httpStatus) }

        /// What the code means, as the protocol document says it.
        public var meaning: String {
            switch self {
            case .badRequest: "malformed JSON, a missing or invalid field or query parameter (the message names it)"
            case .badMessage: "a WebSocket message that is not what the protocol expects (the message says what is)"
            case .unauthorized: "missing or wrong organizer token, floor token, interpreter key or PIN"
            case .forbidden: "not allowed with this credential (e.g. a listener sending audio; a key opened on another console)"
            case .wrongBooth: "an interpreter key used on another booth"
            case .confidential:
                "the event is confidential: nothing leaves the room (no Icecast relay, no Ogg stream); a relay connected when it became confidential is closed with this code"
            case .unknownEvent: "no event has this join code"
            case .unknownChannel: "the event has no such channel or booth"
            case .notFound: "no such thing (a file, an interpreter)"
            case .floorBusy: "the floor of this event is already being published"
            case .relayLoop: "that relay would close a loop of booths"
            case .notOnline: "the interpreter's console is not connected to the booth"
            case .micBusy: "a partner is live: hand over, or take the microphone"
            case .notLive: "only the live interpreter may do this"
            case .noPartner: "no partner is online to hand over to"
            case .nothingToAccept: "there is no handover request to accept"
            case .notAccepted: "the partner has not accepted the handover"
            case .nothingToCancel: "there is no handover request or acceptance to withdraw"
            case .noAudio: "a live console sent no microphone audio for a second and was taken off air; not fatal"
            case .tooLarge: "a body or message over the limit (close code 1009 when the WebSocket frame itself was over it)"
            case .tooMany:
                "too many messages too fast (a console's chat: 10 at once, then 1 a second; signals: 3 at once, then 1 every 2 s; microphone, cough and handover keys: 20 at once, then 5 a second; a listener's channel switches: 10 at once, then 2 a second); not fatal"
            case .lockedOut:
                "too many wrong PINs, keys, tokens or join codes from this address: it may try again after the time the message gives (5 tries, then 1 s doubling up to 5 min)"
            case .internalError: "the server failed; the message says how"
            }
        }

        /// The table of every code, as docs/protocol.md shows it.
        public static var markdownTable: String {
            var lines = ["| code | HTTP status | close code | meaning |", "| --- | --- | --- | --- |"]
            for code in allCases {
                lines.append("| `\(code.rawValue)` | \(code.httpStatus) | \(code.closeCode) | \(code.meaning) |")
            }
            return lines.joined(separator: "\n")
        }
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

    /// The refusal of an `output` (an Icecast relay, an Ogg stream) that would take a confidential event out of the room.
    public static func confidential(_ event: EventDefinition, output: String) -> ProtocolError {
        ProtocolError(
            .confidential,
            "Event \(event.code) is a confidential meeting: nothing leaves the room, so \(output) is refused. The organizer can turn 'confidential' off to allow it."
        )
    }

    public static func unknownChannel(_ channel: String, in event: EventDefinition) -> ProtocolError {
        ProtocolError(
            .unknownChannel,
            "Event \(event.code) has no channel '\(channel)'. Its channels: \(event.channels.map(\.description).joined(separator: ", "))."
        )
    }
}
