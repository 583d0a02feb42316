/// The organizer dashboard's snapshot of an event (docs/protocol.md).
extension ControlMessages {
    public struct Dashboard: Codable, Equatable, Sendable {
        public struct Event: Codable, Equatable, Sendable {
            public var code: String
            public var name: String
            public var languages: [String]
            public var joinURL: String
            public init(code: String, name: String, languages: [String], joinURL: String) {
                self.code = code
                self.name = name
                self.languages = languages
                self.joinURL = joinURL
            }
        }

        public struct Floor: Codable, Equatable, Sendable {
            public var live: Bool
            public var language: String?
            /// Peak level in dBFS, held and decaying (−120: silence).
            public var level: Double
            /// The language the machine hears when it differs from `language`, for the operator to confirm
            /// (the floor language in suggest mode); absent otherwise.
            public var suggested: String?
            public init(live: Bool, language: String?, level: Double, suggested: String? = nil) {
                self.live = live
                self.language = language
                self.level = level
                self.suggested = suggested
            }
        }

        public struct Channel: Codable, Equatable, Sendable {
            public var channel: String
            public var listeners: Int
            public var streamListeners: Int
            /// Connections relaying the channel out of the room (Icecast).
            public var relays: Int
            public var carrying: CarryingMessage
            public var level: Double
            /// The server's processing delay, ms.
            public var delayP50: Double
            public var delayP99: Double
            public var dropped: Int
            public var joinURL: String
            public init(
                channel: String,
                listeners: Int,
                streamListeners: Int,
                relays: Int,
                carrying: CarryingMessage,
                level: Double,
                delayP50: Double,
                delayP99: Double,
                dropped: Int,
                joinURL: String
            ) {
                self.channel = channel
                self.listeners = listeners
                self.streamListeners = streamListeners
                self.relays = relays
                self.carrying = carrying
                self.level = level
                self.delayP50 = delayP50
                self.delayP99 = delayP99
                self.dropped = dropped
                self.joinURL = joinURL
            }
        }

        /// Whether the event records, and the channels whose recording stopped (absent: not recording).
        public struct Recording: Codable, Equatable, Sendable {
            public struct Stopped: Codable, Equatable, Sendable {
                public var channel: String
                /// The disk (or the folder's quota) is full: the page says so in the organizer's language.
                public var diskFull: Bool
                /// What stopped it, in the system's words (English): "No space left on device".
                public var problem: String
                public init(channel: String, diskFull: Bool, problem: String) {
                    self.channel = channel
                    self.diskFull = diskFull
                    self.problem = problem
                }
            }
            public var stopped: [Stopped]
            public init(stopped: [Stopped]) { self.stopped = stopped }
        }

        public var type = "dashboard"
        public var serverTime: UInt64
        public var event: Event
        public var floor: Floor
        public var channels: [Channel]
        public var booths: [BoothState]
        /// Signals of the last minute, newest first.
        public var signals: [Signal]
        public var recording: Recording?

        public init(
            serverTime: UInt64,
            event: Event,
            floor: Floor,
            channels: [Channel],
            booths: [BoothState],
            signals: [Signal],
            recording: Recording? = nil
        ) {
            self.recording = recording
            self.serverTime = serverTime
            self.event = event
            self.floor = floor
            self.channels = channels
            self.booths = booths
            self.signals = signals
        }
    }
}
