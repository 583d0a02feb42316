public import DragomanAudio
public import DragomanCore

/// Speaks each language with the voice chosen for it (e.g. a Piper voice for Kazakh), and every other language
/// with a fallback synthesizer (espeak-ng).
public struct VoicesByLanguage: SpeechSynthesizer {
    /// The voice chosen for each language.
    public let chosen: [LanguageTag: any SpeechSynthesizer]
    /// The synthesizer for the languages not chosen; nil: none.
    public let fallback: (any SpeechSynthesizer)?

    public init(_ chosen: [LanguageTag: any SpeechSynthesizer], fallback: (any SpeechSynthesizer)?) {
        self.chosen = chosen
        self.fallback = fallback
    }

    public var languages: Set<LanguageTag> { Set(chosen.keys).union(fallback?.languages ?? []) }

    public func synthesize(_ text: String, language: LanguageTag) async throws(SpeechError) -> PCMAudio {
        if let voice = chosen[language] { return try await voice.synthesize(text, language: language) }
        let primary = language.value.split(separator: "-").first.map(String.init) ?? language.value
        if let tag = LanguageTag(primary), let voice = chosen[tag] { return try await voice.synthesize(text, language: language) }
        guard let fallback else {
            throw SpeechError(.unsupported, engine: "voices", "no voice speaks '\(language)'")
        }
        return try await fallback.synthesize(text, language: language)
    }
}
