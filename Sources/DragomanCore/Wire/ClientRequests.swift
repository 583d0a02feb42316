/// The text messages clients send, each decoded once into a typed request (docs/protocol.md).
///
/// The server parses the JSON into `ControlMessages.RequestFields` (every field any request may
/// have, all optional); the initializers here check the fields of each type and name what is
/// wrong, so the sessions switch over enums rather than strings.
extension ControlMessages {
    /// Every field a client request may carry; unknown fields are ignored.
    public struct RequestFields: Decodable, Sendable {
        public var type: String
        public var channel: String?
        public var on: Bool?
        public var held: Bool?
        public var action: String?
        public var relay: String??
        public var to: String?
        public var text: String?
        public var kind: String?
        public var language: String??
        /// Fields present with the wrong JSON type (e.g. a number where a string belongs).
        public var malformed: Set<String> = []

        public init(type: String) { self.type = type }

        enum CodingKeys: String, CodingKey {
            case type, channel, on, held, action, relay, to, text, kind, language
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            type = try container.decode(String.self, forKey: .type)
            channel = try? container.decodeIfPresent(String.self, forKey: .channel)
            on = try? container.decodeIfPresent(Bool.self, forKey: .on)
            held = try? container.decodeIfPresent(Bool.self, forKey: .held)
            action = try? container.decodeIfPresent(String.self, forKey: .action)
            relay = Self.nullable(container, .relay, malformed: &malformed)
            to = try? container.decodeIfPresent(String.self, forKey: .to)
            text = try? container.decodeIfPresent(String.self, forKey: .text)
            kind = try? container.decodeIfPresent(String.self, forKey: .kind)
            language = Self.nullable(container, .language, malformed: &malformed)
        }

        /// nil: the field is absent (or malformed); .some(nil): it is null; .some(text): a string.
        private static func nullable(
            _ container: KeyedDecodingContainer<CodingKeys>,
            _ key: CodingKeys,
            malformed: inout Set<String>
        )
            -> String??
        {
            guard container.contains(key) else { return nil }
            if (try? container.decodeNil(forKey: key)) == true { return .some(nil) }
            guard let text = try? container.decode(String.self, forKey: key) else {
                malformed.insert(key.stringValue)
                return nil
            }
            return .some(text)
        }
    }

    /// What the protocol says of a message that is not a JSON object with a `type`.
    public static let notAMessage = ProtocolError(.badMessage, "A control message must be a JSON object with a 'type' field.")
}

/// What a listener may ask.
public enum ListenerRequest: Equatable, Sendable {
    /// Switch to a channel, as the client wrote it (checked against the event by the server).
    case tune(channel: String)

    public init(_ fields: ControlMessages.RequestFields) throws(ProtocolError) {
        switch fields.type {
        case "tune":
            guard let channel = fields.channel else { throw ProtocolError(.badMessage, "A 'tune' message needs a 'channel' string.") }
            self = .tune(channel: channel)
        default:
            throw ProtocolError(.badMessage, "Unknown message type '\(fields.type)'. Listeners may send: tune.")
        }
    }
}

/// What an interpreter console may ask.
public enum ConsoleRequest: Equatable, Sendable {
    /// The microphone on or off.
    case microphone(on: Bool)
    case cough(held: Bool)
    case handover(HandoverAction)
    /// Hear another booth (relay), or the floor (nil).
    case source(relay: LanguageTag?)
    /// `to`: `booth` (the partners) or `organizer`.
    case chat(to: String, text: String)
    case signal(BoothSignal)

    /// The steps of a handover.
    public enum HandoverAction: String, Equatable, Sendable, CaseIterable {
        case request, accept, `switch`, take, cancel
    }

    public init(_ fields: ControlMessages.RequestFields) throws(ProtocolError) {
        func need<T>(_ value: T?, _ shape: String) throws(ProtocolError) -> T {
            guard let value else { throw ProtocolError(.badMessage, "A '\(fields.type)' message needs \(shape).") }
            return value
        }
        switch fields.type {
        case "mic":
            self = .microphone(on: try need(fields.on, "'on': true or false"))
        case "cough":
            self = .cough(held: try need(fields.held, "'held': true or false"))
        case "handover":
            let text = try need(fields.action, "'action': request, accept, switch, take or cancel")
            guard let action = HandoverAction(rawValue: text) else {
                throw ProtocolError(.badMessage, "Unknown handover action '\(text)'; use request, accept, switch, take or cancel.")
            }
            self = .handover(action)
        case "source":
            // An absent 'relay' reads as null: the floor.
            guard !fields.malformed.contains("relay") else {
                throw ProtocolError(.badMessage, "A 'source' message needs 'relay': a booth's language, or null for the floor.")
            }
            if let relay = fields.relay ?? nil {
                guard let language = LanguageTag(relay) else { throw ProtocolError(.badMessage, "'\(relay)' is not a language tag.") }
                self = .source(relay: language)
            } else {
                self = .source(relay: nil)
            }
        case "chat":
            guard let to = fields.to, let text = fields.text else {
                throw ProtocolError(.badMessage, "A 'chat' message needs 'to' (booth or organizer) and 'text'.")
            }
            self = .chat(to: to, text: text)
        case "signal":
            let text = try need(fields.kind, "'kind': slow-down or help")
            guard let kind = BoothSignal(rawValue: text) else {
                throw ProtocolError(.badMessage, "Unknown signal '\(text)'; use slow-down or help.")
            }
            self = .signal(kind)
        default:
            throw ProtocolError(
                .badMessage,
                "Unknown message type '\(fields.type)'. Consoles may send: mic, cough, handover, source, chat, signal."
            )
        }
    }

    /// The microphone event this request is for `interpreter`, if it is one.
    public func microphoneEvent(for interpreter: InterpreterID) -> BoothMicrophone.Event? {
        switch self {
        case .microphone(let on): on ? .micOn(interpreter) : .micOff(interpreter)
        case .cough(let held): .cough(interpreter, held: held)
        case .handover(.request): .requestHandover(interpreter)
        case .handover(.accept): .acceptHandover(interpreter)
        case .handover(.switch): .switchNow(interpreter)
        case .handover(.take): .take(interpreter)
        case .handover(.cancel): .cancelHandover(interpreter)
        case .source, .chat, .signal: nil
        }
    }
}

/// What the organizer's dashboard may ask.
public enum DashboardRequest: Equatable, Sendable {
    /// A chat line to the booth of `booth` (a language, as written).
    case chat(booth: String, text: String)
    /// Set the floor language: a language of the event, as written, or nil when it is not known.
    case floorLanguage(String?)

    public init(_ fields: ControlMessages.RequestFields) throws(ProtocolError) {
        switch fields.type {
        case "chat":
            guard let to = fields.to, let text = fields.text else {
                throw ProtocolError(.badMessage, "A 'chat' message needs 'to' (a booth's language) and 'text'.")
            }
            self = .chat(booth: to, text: text)
        case "floor-language":
            // An absent 'language' reads as null: not known.
            guard !fields.malformed.contains("language") else {
                throw ProtocolError(.badMessage, "A 'floor-language' message needs 'language': a language of the event, or null.")
            }
            self = .floorLanguage(fields.language ?? nil)
        default:
            throw ProtocolError(.badMessage, "Unknown message type '\(fields.type)'. The dashboard may send: chat, floor-language.")
        }
    }
}
