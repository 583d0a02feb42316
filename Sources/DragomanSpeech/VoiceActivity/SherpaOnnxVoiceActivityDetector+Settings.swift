extension SherpaOnnxVoiceActivityDetector {
    /// How the silero VAD decides what is speech. The defaults are the settings measured on the summit floor
    /// (docs/benchmarks.md, "Speech engines").
    public struct Settings: Sendable, Equatable {
        /// The speech probability above which a 32 ms window counts as speech, 0…1.
        public var threshold: Float
        /// How long the speaker must be silent before a segment ends, seconds.
        public var minimumSilence: Double
        /// How long speech must last before a segment opens, seconds (shorter bursts are not speech).
        public var minimumSpeech: Double
        /// The longest segment, seconds: speech that goes on is cut here (`isComplete == false`) and
        /// continues in the next segment.
        public var maximumSegment: Double
        /// onnxruntime threads.
        public var threads: Int

        public init(
            threshold: Float = 0.5,
            minimumSilence: Double = 0.25,
            minimumSpeech: Double = 0.25,
            maximumSegment: Double = 8,
            threads: Int = 1
        ) {
            self.threshold = threshold
            self.minimumSilence = minimumSilence
            self.minimumSpeech = minimumSpeech
            self.maximumSegment = maximumSegment
            self.threads = threads
        }

        /// Throws `.unsupported` naming the first setting out of range.
        func validate() throws(SpeechError) {
            func refuse(_ message: String) -> SpeechError {
                SpeechError(.unsupported, engine: SherpaOnnxVoiceActivityDetector.engine, message)
            }
            guard threshold > 0, threshold < 1 else { throw refuse("threshold \(threshold) is outside 0…1 (exclusive)") }
            guard minimumSilence > 0, minimumSilence <= 10 else {
                throw refuse("minimumSilence \(minimumSilence) s is outside 0…10 s")
            }
            guard minimumSpeech >= 0, minimumSpeech <= 5 else { throw refuse("minimumSpeech \(minimumSpeech) s is outside 0…5 s") }
            guard maximumSegment >= 1, maximumSegment <= 120, maximumSegment > minimumSpeech else {
                throw refuse("maximumSegment \(maximumSegment) s is outside 1…120 s or not above minimumSpeech")
            }
            guard (1...16).contains(threads) else { throw refuse("threads \(threads) is outside 1…16") }
        }
    }
}
