public import DragomanCore

/// A stretch of speech cut from a source by voice activity detection: 16 kHz mono samples and
/// where they lie on the source's clock.
public struct SpeechSegment: Sendable, Equatable {
    /// The sample rate every engine here takes.
    public static let sampleRate = 16_000

    /// 16 kHz mono samples, nominally in −1…1.
    public var samples: [Float]
    /// When the segment starts on the source's clock, µs (the floor's ingest time of its first sample).
    public var startMicros: UInt64
    /// Whether the speaker paused here (a final segment), or the segment was cut at the maximum length
    /// while the speaker went on (more of the same sentence follows).
    public var isComplete: Bool

    public init(samples: [Float], startMicros: UInt64, isComplete: Bool = true) {
        self.samples = samples
        self.startMicros = startMicros
        self.isComplete = isComplete
    }

    /// How long the segment lasts, µs.
    public var durationMicros: UInt64 { UInt64(samples.count) * 1_000_000 / UInt64(Self.sampleRate) }
    /// When the segment ends on the source's clock, µs.
    public var endMicros: UInt64 { startMicros + durationMicros }
}

/// What a recognizer heard in a segment.
public struct Transcript: Sendable, Equatable {
    public var text: String
    /// The language the engine heard, when it says.
    public var language: LanguageTag?
    /// How sure it is of that language, 0…1, when it says.
    public var languageProbability: Double?
    /// The engine's probability of each language it weighed, by primary code (`"kk"`), when it says: what
    /// identification among an event's languages is made from. Empty when the engine gives none.
    public var languageProbabilities: [String: Double]
    /// The engine's probability that the segment holds no speech at all (Whisper's `no_speech_prob`).
    public var noSpeechProbability: Double?
    /// How repetitive the text is (Whisper's `compression_ratio`): high values are hallucinated loops.
    public var compressionRatio: Double?

    public init(
        text: String,
        language: LanguageTag? = nil,
        languageProbability: Double? = nil,
        languageProbabilities: [String: Double] = [:],
        noSpeechProbability: Double? = nil,
        compressionRatio: Double? = nil
    ) {
        self.text = text
        self.language = language
        self.languageProbability = languageProbability
        self.languageProbabilities = languageProbabilities
        self.noSpeechProbability = noSpeechProbability
        self.compressionRatio = compressionRatio
    }
}
