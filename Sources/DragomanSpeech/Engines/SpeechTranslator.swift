public import DragomanCore

/// Translates speech straight into text in another language (Whisper's `translate` task: any language
/// into English), skipping the transcript in the source language.
public protocol SpeechTranslator: Sendable {
    /// The languages it translates speech into.
    var targetLanguages: Set<LanguageTag> { get }
    /// Translates the speech in `segment` into `target`; `hints` are words and names to expect.
    /// The transcript's `language` is `target`.
    func translate(_ segment: SpeechSegment, into target: LanguageTag, hints: [String]) async throws(SpeechError) -> Transcript
}
