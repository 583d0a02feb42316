public import DragomanAudio
public import DragomanCore

/// Cuts speech out of a stream of 16 kHz mono samples. Stateful: one detector per source, fed in order.
public protocol VoiceActivityDetector: AnyObject {
    /// Takes the next samples; returns the segments that ended (or reached the maximum length) in them.
    func accept(_ samples: [Float], at startMicros: UInt64) throws(SpeechError) -> [SpeechSegment]
    /// The source ended: returns the speech still open.
    func flush() throws(SpeechError) -> [SpeechSegment]
    /// The speech open now, from where its segment will start to the last sample taken, as an incomplete segment;
    /// nil in silence. What partial captions are made from while the speaker goes on.
    func openSpeech() -> SpeechSegment?
}

extension VoiceActivityDetector {
    /// A detector that cannot show its open speech gives none: its segments get final captions only.
    public func openSpeech() -> SpeechSegment? { nil }
}

/// Turns a segment of speech into text (segment-wise; engines that stream give partials elsewhere).
public protocol SpeechRecognizer: Sendable {
    /// Transcribes `segment`. `language` fixes the language when known; `hints` are words and names the
    /// engine should expect (the event's glossary), where it can use them.
    func transcribe(_ segment: SpeechSegment, language: LanguageTag?, hints: [String]) async throws(SpeechError) -> Transcript
    /// Transcribes `segment` as above; when the language is not fixed, the transcript's
    /// `languageProbabilities` should include each of `candidates` (the languages that may be spoken),
    /// where the engine can tell. By default the same as without them.
    func transcribe(
        _ segment: SpeechSegment,
        language: LanguageTag?,
        candidates: [LanguageTag],
        hints: [String]
    ) async throws(SpeechError) -> Transcript
}

extension SpeechRecognizer {
    public func transcribe(
        _ segment: SpeechSegment,
        language: LanguageTag?,
        candidates: [LanguageTag],
        hints: [String]
    ) async throws(SpeechError) -> Transcript {
        try await transcribe(segment, language: language, hints: hints)
    }
}

/// Tells which of `candidates` a segment of speech is in, with a probability each, most likely first.
public protocol SpokenLanguageIdentifier: Sendable {
    func identify(_ segment: SpeechSegment, among candidates: [LanguageTag]) async throws(SpeechError) -> [(LanguageTag, Double)]
}

/// Translates text from one language into another.
public protocol TextTranslator: Sendable {
    /// Translates `text`; `glossary` maps terms of the source language to the words to use in the target.
    func translate(_ text: String, from source: LanguageTag, to target: LanguageTag, glossary: [String: String]) async throws(SpeechError) -> String
}

/// Speaks text.
public protocol SpeechSynthesizer: Sendable {
    /// The languages it has a voice for.
    var languages: Set<LanguageTag> { get }
    /// Speaks `text` in `language`; returns mono audio at the voice's own rate.
    func synthesize(_ text: String, language: LanguageTag) async throws(SpeechError) -> PCMAudio
}
