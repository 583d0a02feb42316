/// The JSON text messages of the WebSocket protocol (see docs/protocol.md).
///
/// Each message is a struct whose `type` is fixed, so encoding one always writes the right tag,
/// and decoding reads `MessageType` first to pick the struct.
public enum ControlMessages {
    /// The current protocol version.
    public static let protocolVersion = 1

    /// Reads only the `type` field of any message.
    public struct MessageType: Decodable, Sendable {
        public var type: String
    }

    /// The codec of the audio packets on a connection.
    public struct Codec: Codable, Equatable, Sendable {
        public var name: String
        public var sampleRate: Int
        public var channels: Int
        public var frameDurationMs: Int
        /// Base64 of the OpusHead identification header; nil for PCM.
        public var opusHead: String?

        public init(name: String, sampleRate: Int = 48000, channels: Int = 1, frameDurationMs: Int = 20, opusHead: String?) {
            self.name = name
            self.sampleRate = sampleRate
            self.channels = channels
            self.frameDurationMs = frameDurationMs
            self.opusHead = opusHead
        }
    }

    /// The public description of an event inside `welcome`.
    public struct EventSummary: Codable, Equatable, Sendable {
        public var code: String
        public var name: String
        public var languages: [String]
        public init(code: String, name: String, languages: [String]) {
            self.code = code
            self.name = name
            self.languages = languages
        }
    }

    /// First message to a listener.
    public struct Welcome: Codable, Equatable, Sendable {
        public var type = "welcome"
        public var `protocol` = ControlMessages.protocolVersion
        public var event: EventSummary
        public var channel: String
        public var codec: Codec
        public var serverTime: UInt64
        public init(event: EventSummary, channel: String, codec: Codec, serverTime: UInt64) {
            self.event = event
            self.channel = channel
            self.codec = codec
            self.serverTime = serverTime
        }
    }

    /// Confirms a channel switch.
    public struct Tuned: Codable, Equatable, Sendable {
        public var type = "tuned"
        public var channel: String
        public var codec: Codec
        public init(channel: String, codec: Codec) {
            self.channel = channel
            self.codec = codec
        }
    }

    /// The source of a channel, as listeners see it.
    public struct Source: Codable, Equatable, Sendable {
        /// `floor`, `interpreter` (the channel's own booth), `relay` (the booth interprets another booth) or
        /// `machine` (machine interpretation: recognition, translation, a synthesized voice).
        public var kind: String
        public var language: String?
        /// With `relay`: the language of the booth it interprets from.
        public var via: String?
        public init(kind: String, language: String?, via: String? = nil) {
            self.kind = kind
            self.language = language
            self.via = via
        }
    }

    /// What the channel carries now.
    public struct CarryingMessage: Codable, Equatable, Sendable {
        public var type = "carrying"
        public var channel: String
        public var source: Source
        public var interpretation: Bool
        public var floorLive: Bool
        /// The language the floor speaks now, when known.
        public var floorLanguage: String?
        public init(channel: String, source: Source, interpretation: Bool, floorLive: Bool, floorLanguage: String? = nil) {
            self.channel = channel
            self.source = source
            self.interpretation = interpretation
            self.floorLive = floorLive
            self.floorLanguage = floorLanguage
        }

        public init(channel: ChannelID, carrying: Carrying, floorLive: Bool, floorLanguage: LanguageTag? = nil) {
            let kind: String
            switch carrying.source {
            case .floor: kind = "floor"
            case .interpreter: kind = carrying.relayVia == nil ? "interpreter" : "relay"
            case .machine: kind = "machine"
            }
            self.init(
                channel: channel.description,
                source: Source(kind: kind, language: carrying.language?.value, via: carrying.relayVia?.value),
                interpretation: carrying.interpretation,
                floorLive: floorLive,
                floorLanguage: floorLanguage?.value
            )
        }
    }

    /// What a channel carries changed because the floor changed language: phones show a banner and vibrate.
    public struct Alert: Codable, Equatable, Sendable {
        public var type = "alert"
        public var kind = "floor-language"
        public var channel: String
        public var floorLanguage: String?
        /// Whether the channel now carries an interpretation.
        public var interpretation: Bool
        /// When the floor language changed (µs since the Unix epoch).
        public var at: UInt64
        public init(channel: String, floorLanguage: String?, interpretation: Bool, at: UInt64) {
            self.channel = channel
            self.floorLanguage = floorLanguage
            self.interpretation = interpretation
            self.at = at
        }
    }

    /// A line of captions on a channel: the floor's transcript on the floor channel, the machine's
    /// translation on a language channel. A `final: false` line is replaced by the next line with the
    /// same `id`.
    public struct Caption: Codable, Equatable, Sendable {
        public var type = "caption"
        public var channel: String
        /// The same for the partial and final versions of one line.
        public var id: String
        public var text: String
        /// The language of `text`.
        public var language: String?
        public var final: Bool
        /// The speech the line renders, on the floor's clock (its ingest time), µs since the Unix epoch.
        public var start: UInt64
        public var end: UInt64
        /// What made it: `floor` (recognition of the floor) or `machine` (machine translation).
        public var source: String

        public init(
            channel: String,
            id: String,
            text: String,
            language: String?,
            final: Bool,
            start: UInt64,
            end: UInt64,
            source: String
        ) {
            self.channel = channel
            self.id = id
            self.text = text
            self.language = language
            self.final = final
            self.start = start
            self.end = end
            self.source = source
        }
    }

    /// Packets this listener lost because it did not read fast enough.
    public struct Dropped: Codable, Equatable, Sendable {
        public var type = "dropped"
        public var count: Int
        public init(count: Int) { self.count = count }
    }

    /// An error; `fatal` errors are followed by a close.
    public struct ErrorMessage: Codable, Equatable, Sendable {
        public var type = "error"
        public var code: String
        public var message: String
        public var fatal: Bool
        public init(_ error: ProtocolError, fatal: Bool) {
            self.init(code: error.code.rawValue, message: error.message, fatal: fatal)
        }
        public init(code: String, message: String, fatal: Bool) {
            self.code = code
            self.message = message
            self.fatal = fatal
        }
    }

    /// Confirms a floor publisher was accepted.
    public struct Publishing: Codable, Equatable, Sendable {
        public var type = "publishing"
        public var event: String
        public var channel = "floor"
        public var sampleRate: Int
        public var frameDurationMs = 20
        public init(event: String, sampleRate: Int) {
            self.event = event
            self.sampleRate = sampleRate
        }
    }

    /// A listener asks to switch channel.
    public struct Tune: Codable, Equatable, Sendable {
        public var type = "tune"
        public var channel: String
        public init(channel: String) { self.channel = channel }
    }
}
