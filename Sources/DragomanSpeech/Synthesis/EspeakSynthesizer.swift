public import DragomanAudio
public import DragomanCore

/// Speech synthesis with libespeak-ng, in process: Kazakh, Russian, English and the hundred-odd other
/// languages of Debian's `espeak-ng-data` (the only offline Kazakh voice at hand).
///
/// Output is mono 16-bit audio at espeak's own rate (22,050 Hz), with espeak's sentence pause at the end. espeak-ng
/// is one engine per process: synthesizers share it, one call at a time (a lock), and each call sets its own voice
/// and rate. A call blocks its thread while it synthesizes (about 7 ms per second of speech on one core).
public struct EspeakSynthesizer: SpeechSynthesizer {
    /// The engine name in errors.
    public static let engine = "espeak-ng"

    /// The data folder (nil: the library's default, Debian's `/usr/lib/<arch>/espeak-ng-data`).
    public let dataPath: String?
    /// Speaking rate, words per minute (espeak's default is 175).
    public let wordsPerMinute: Int
    /// Samples per second of the audio it makes.
    public let sampleRate: Int
    /// Every language some voice speaks, as espeak lists them (`kk`, `ru`, `en`, `en-us`, …).
    public let languages: Set<LanguageTag>
    /// The voice chosen for each language tag espeak lists: the one with the best priority for it.
    private let voiceByLanguage: [String: String]

    /// Loads espeak-ng's data and reads its voice list.
    ///
    /// - Throws: `SpeechError` `.modelMissing` naming `dataPath` when it lacks espeak's data, `.unavailable` when
    ///   espeak-ng cannot initialize (its reason in the message), `.unsupported` for a rate outside 80…450 wpm.
    public init(dataPath: String? = nil, wordsPerMinute: Int = 175) throws(SpeechError) {
        guard (80...450).contains(wordsPerMinute) else {
            throw SpeechError(.unsupported, engine: Self.engine, "wordsPerMinute \(wordsPerMinute) is outside 80…450")
        }
        let loaded = try EspeakLibrary.shared.withLoaded(dataPath: dataPath) { loaded throws(SpeechError) in loaded }
        guard !loaded.voices.isEmpty else {
            throw SpeechError(.modelMissing, engine: Self.engine, "espeak-ng found no voices in \(dataPath ?? "its default data folder")")
        }
        var best: [String: (priority: Int, voice: String)] = [:]
        for voice in loaded.voices {
            for language in voice.languages {
                let tag = language.tag.lowercased()
                if let known = best[tag], known.priority <= language.priority { continue }
                best[tag] = (language.priority, voice.identifier)
            }
        }
        self.dataPath = dataPath
        self.wordsPerMinute = wordsPerMinute
        self.sampleRate = loaded.sampleRate
        self.voiceByLanguage = best.mapValues(\.voice)
        self.languages = Set(best.keys.compactMap(LanguageTag.init))
    }

    /// The espeak voice that speaks `language`: its own tag, else its primary language (`kk-kz` → `kk`).
    public func voice(for language: LanguageTag) -> String? {
        if let voice = voiceByLanguage[language.value] { return voice }
        guard let primary = language.value.split(separator: "-").first else { return nil }
        return voiceByLanguage[String(primary)]
    }

    /// Speaks `text` in `language`.
    ///
    /// - Throws: `SpeechError` `.unsupported` when espeak has no voice for `language` or the text is empty,
    ///   `.failed` when espeak-ng reports an error.
    public func synthesize(_ text: String, language: LanguageTag) async throws(SpeechError) -> PCMAudio {
        guard let voice = voice(for: language) else {
            throw SpeechError(
                .unsupported,
                engine: Self.engine,
                "no espeak-ng voice speaks '\(language)' (in \(dataPath ?? "the default data folder"); `espeak-ng --voices` lists them)"
            )
        }
        return try synthesize(text, voice: voice)
    }

    /// Speaks `text` with an espeak voice given by name or identifier (`kk`, `gmw/en-US`, `Russian`), synchronously.
    ///
    /// - Throws: `SpeechError` `.unsupported` for an unknown voice or an empty text, `.failed` when espeak-ng
    ///   reports an error.
    public func synthesize(_ text: String, voice: String) throws(SpeechError) -> PCMAudio {
        guard text.contains(where: { !$0.isWhitespace }) else {
            throw SpeechError(.unsupported, engine: Self.engine, "the text to speak is empty")
        }
        let wordsPerMinute = wordsPerMinute
        let (samples, rate) = try EspeakLibrary.shared.withLoaded(dataPath: dataPath) { loaded throws(SpeechError) in
            (try EspeakLibrary.shared.synthesize(text, voice: voice, wordsPerMinute: wordsPerMinute), loaded.sampleRate)
        }
        return PCMAudio(sampleRate: rate, channels: 1, samples: samples.map { Float($0) / 32_768 })
    }
}
