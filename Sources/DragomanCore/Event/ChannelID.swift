/// What a listener tunes to: the floor itself, or one language.
public enum ChannelID: Hashable, Sendable, CustomStringConvertible {
    case floor
    case language(LanguageTag)

    /// Parses the wire form: `floor` or a language tag.
    public init?(_ text: String) {
        if text.trimmingWhitespace().lowercased() == "floor" {
            self = .floor
        } else if let tag = LanguageTag(text) {
            self = .language(tag)
        } else {
            return nil
        }
    }

    /// The wire form.
    public var description: String {
        switch self {
        case .floor: "floor"
        case .language(let tag): tag.value
        }
    }

    /// The language of the channel; nil for the floor, whose language is whatever the speaker speaks.
    public var language: LanguageTag? {
        switch self {
        case .floor: nil
        case .language(let tag): tag
        }
    }
}
