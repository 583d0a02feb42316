/// Where the audio of a channel comes from right now.
public enum ChannelSource: Hashable, Sendable {
    /// The floor itself.
    case floor
    /// The live interpreter of the booth of this language.
    case interpreter(LanguageTag)
    /// The machine booth of this language: recognition, translation and a synthesized voice.
    case machine(LanguageTag)
}

/// What a channel carries now, as listeners are told.
public struct Carrying: Equatable, Sendable {
    /// The audio source.
    public var source: ChannelSource
    /// The language being heard, when known.
    public var language: LanguageTag?
    /// Whether the channel carries an interpretation; false on a language channel means it falls back to the floor.
    public var interpretation: Bool
    /// When the booth interprets from another booth's output (relay), that booth's language.
    public var relayVia: LanguageTag?

    /// Whether a machine interprets (rather than a person).
    public var isMachine: Bool {
        if case .machine = source { true } else { false }
    }

    public init(source: ChannelSource, language: LanguageTag?, interpretation: Bool, relayVia: LanguageTag? = nil) {
        self.source = source
        self.language = language
        self.interpretation = interpretation
        self.relayVia = relayVia
    }
}
