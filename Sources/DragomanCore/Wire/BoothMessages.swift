/// The JSON messages of the interpreter console and the organizer dashboard (docs/protocol.md).
extension ControlMessages {
    /// Someone in a message: an interpreter, or the organizer.
    public struct Person: Codable, Equatable, Sendable {
        public var id: String
        public var name: String
        public init(id: String, name: String) {
            self.id = id
            self.name = name
        }

        public static let organizer = Person(id: "organizer", name: "Organizer")
    }

    /// First message to an interpreter console.
    public struct BoothWelcome: Codable, Equatable, Sendable {
        public var type = "booth-welcome"
        public var `protocol` = ControlMessages.protocolVersion
        public var event: EventSummary
        public var booth: String
        public var you: Person
        public var codec: Codec
        public var serverTime: UInt64
        /// The event's glossary, every rendering in every language: the boothmate strip writes them down when the
        /// floor says them.
        public var glossary: [String]
        public init(event: EventSummary, booth: String, you: Person, codec: Codec, serverTime: UInt64, glossary: [String] = []) {
            self.event = event
            self.booth = booth
            self.you = you
            self.codec = codec
            self.serverTime = serverTime
            self.glossary = glossary
        }
    }

    /// An interpreter of a booth and whether their console is connected.
    public struct BoothInterpreter: Codable, Equatable, Sendable {
        public var id: String
        public var name: String
        public var online: Bool
        public init(id: String, name: String, online: Bool) {
            self.id = id
            self.name = name
            self.online = online
        }
    }

    /// Where a handover stands: `none`, `requested` or `accepted`, and by whom.
    public struct HandoverState: Codable, Equatable, Sendable {
        public var state: String
        public var by: String?
        public init(_ handover: BoothMicrophone.Handover) {
            switch handover {
            case .none: state = "none"
            case .requested(let id):
                state = "requested"
                by = id.value
            case .accepted(let id):
                state = "accepted"
                by = id.value
            }
        }
    }

    /// What a booth chose to hear: `{"kind": "floor"}` or `{"kind": "relay", "language": "en"}`.
    public struct BoothSourceChoice: Codable, Equatable, Sendable {
        public var kind: String
        public var language: String?
        public init(_ source: BoothSource) {
            switch source {
            case .floor: kind = "floor"
            case .relay(let language):
                kind = "relay"
                self.language = language.value
            }
        }
    }

    /// What actually reaches a booth, and how many interpreters stand between it and the floor.
    public struct Hearing: Codable, Equatable, Sendable {
        public var kind: String
        public var language: String?
        public var via: String?
        public var depth: Int
        public init(carrying: Carrying, depth: Int) {
            let source = CarryingMessage(channel: .floor, carrying: carrying, floorLive: false).source
            kind = source.kind
            language = source.language
            via = source.via
            self.depth = depth
        }
    }

    /// Speech the machine booths skipped because they had fallen behind.
    public struct MachineSkipped: Codable, Equatable, Sendable {
        /// How many stretches of speech.
        public var count: Int
        /// How much speech, seconds.
        public var seconds: Double
        /// When the last was skipped, µs since the Unix epoch.
        public var lastAt: UInt64
        /// How late the last was when its turn came, seconds.
        public var lateBy: Double

        public init(_ skips: MachineSkips) {
            count = skips.count
            seconds = Double(skips.speechMicros / 100_000) / 10
            lastAt = skips.lastAt
            lateBy = Double(skips.lastLateBy / 100_000) / 10
        }
    }

    /// The state of one booth: sent to its consoles, and part of the dashboard.
    public struct BoothState: Codable, Equatable, Sendable {
        public var type = "booth-state"
        public var booth: String
        public var interpreters: [BoothInterpreter]
        public var live: String?
        public var coughing: Bool
        public var onAir: Bool
        public var handover: HandoverState
        public var source: BoothSourceChoice
        public var hears: Hearing
        public var relayOptions: [String]
        public var floorLanguage: String?
        public var floorLive: Bool
        public var carrying: CarryingMessage
        public var listeners: Int
        public var recorded: Bool
        public var streamedOutside: Bool
        /// A confidential meeting: nothing is recorded or leaves the room; consoles say so.
        public var confidential = false
        /// The channel's machine booth: `starting`, `ready` or `failed`; absent when it has none.
        public var machine: String?
        /// Why the machine booth failed.
        public var machineProblem: String?
        /// Speech the machine skipped because it had fallen behind (the recognition serves every machine booth of
        /// the event); absent while it has skipped none.
        public var machineSkipped: MachineSkipped?
        public var serverTime: UInt64

        public init(
            booth: String,
            interpreters: [BoothInterpreter],
            live: String?,
            coughing: Bool,
            onAir: Bool,
            handover: HandoverState,
            source: BoothSourceChoice,
            hears: Hearing,
            relayOptions: [String],
            floorLanguage: String?,
            floorLive: Bool,
            carrying: CarryingMessage,
            listeners: Int,
            recorded: Bool,
            streamedOutside: Bool,
            serverTime: UInt64
        ) {
            self.booth = booth
            self.interpreters = interpreters
            self.live = live
            self.coughing = coughing
            self.onAir = onAir
            self.handover = handover
            self.source = source
            self.hears = hears
            self.relayOptions = relayOptions
            self.floorLanguage = floorLanguage
            self.floorLive = floorLive
            self.carrying = carrying
            self.listeners = listeners
            self.recorded = recorded
            self.streamedOutside = streamedOutside
            self.serverTime = serverTime
        }
    }

    /// A chat line within a booth, or between a booth and the organizer.
    public struct Chat: Codable, Equatable, Sendable {
        public var type = "chat"
        public var from: Person
        /// `booth` (the partners) or `organizer`; from the organizer: the booth's language.
        public var to: String
        /// The booth whose conversation this is.
        public var booth: String
        public var text: String
        public var at: UInt64
        public init(from: Person, to: String, booth: String, text: String, at: UInt64) {
            self.from = from
            self.to = to
            self.booth = booth
            self.text = text
            self.at = at
        }

        /// The longest chat line, in characters.
        public static let maximumLength = 500
    }

    /// A slow-down or help signal from a booth.
    public struct Signal: Codable, Equatable, Sendable {
        public var type = "signal"
        public var kind: BoothSignal
        public var booth: String
        /// Who called for help; nil for the anonymous slow-down.
        public var from: Person?
        public var at: UInt64
        public init(kind: BoothSignal, booth: String, from: Person?, at: UInt64) {
            self.kind = kind
            self.booth = booth
            self.from = from
            self.at = at
        }
    }
}

extension ControlMessages.ErrorMessage {
    /// A refused booth action: the connection stays.
    public init(refusal: BoothMicrophone.Refusal, naming name: (InterpreterID) -> String = \.value) {
        let text = refusal.explanation(naming: name)
        self.init(code: refusal.code.rawValue, message: text.prefix(1).uppercased() + text.dropFirst() + ".", fatal: false)
    }
}
