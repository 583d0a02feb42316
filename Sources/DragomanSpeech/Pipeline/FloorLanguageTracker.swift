public import DragomanCore

/// Follows the floor's language by ear, with hysteresis: one foreign word does not flip it, a real
/// switch does within a few seconds. Fed the language identified in each segment of speech, it says
/// when the floor has changed language.
///
/// The rule: a segment counts when it lasts at least `minimumSpeech` and its language is identified
/// with at least `minimumConfidence` (or its script settles it, as Kazakh letters do). The floor
/// switches to a new language when it has heard `evidence` of speech in it, counted over the segments
/// since the last one in the current language; a long, sure segment is enough on its own.
public struct FloorLanguageTracker: Equatable, Sendable {
    /// The language the floor speaks, as the tracker believes.
    public private(set) var current: LanguageTag?
    /// Speech heard in other languages since the last segment in `current`, µs per language.
    private var heard: [LanguageTag: UInt64] = [:]

    /// Shorter segments do not count (a name, a greeting in another language).
    public var minimumSpeech: UInt64 = 700_000
    /// Less sure identifications do not count. Among the event's languages, Whisper base heard the summit's
    /// Russian and English at 0.93–0.98, but also a piece of synthetic Russian as English at 0.83, which at 0.7
    /// counted towards a switch to English (with a Kazakh piece it heard as English at 0.93, it made one).
    public var minimumConfidence = 0.9
    /// How much speech in a new language switches the floor, µs.
    public var evidence: UInt64 = 2_000_000

    public init(current: LanguageTag? = nil) {
        self.current = current
    }

    /// The operator set the floor language: the tracker starts from there.
    public mutating func reset(to language: LanguageTag?) {
        current = language
        heard = [:]
    }

    /// Takes one segment's identification; returns the new floor language when the floor switched.
    /// - Parameters:
    ///   - language: the language identified, nil when the engine could not tell
    ///   - confidence: how sure, 0…1
    ///   - duration: how long the segment's speech lasted, µs
    ///   - weight: the share of that speech that counts as evidence for a switch (less than 1 for weaker witnesses)
    public mutating func heard(_ language: LanguageTag?, confidence: Double, duration: UInt64, weight: Double = 1) -> LanguageTag? {
        guard let language, duration >= minimumSpeech, confidence >= minimumConfidence else { return nil }
        if language == current {
            heard = [:]
            return nil
        }
        heard[language, default: 0] += UInt64(Double(duration) * min(max(weight, 0), 1))
        guard heard[language, default: 0] >= evidence else { return nil }
        reset(to: language)
        return language
    }
}
