internal import CSherpaOnnx
import Foundation

/// The silero VAD run by sherpa-onnx in process, through its C API: cuts speech out of a stream of 16 kHz
/// mono samples.
///
/// The model is `silero_vad.onnx` from PyPI `silero-vad` (scripts/setup unpacks it to
/// `vendor/models/silero_vad.onnx`). The settings (``Settings``) are those measured in docs/benchmarks.md,
/// "Speech engines". A segment ends when the speaker has been silent for `minimumSilence`; one that reaches
/// `maximumSegment` while the speaker goes on is cut there and comes out with `isComplete == false`, and the
/// next segment continues from the sample where it was cut.
///
/// Times: each `accept(_:at:)` gives the source-clock time of its first sample, and a segment's
/// `startMicros` is computed from the call its first sample came in with, so gaps between calls are honoured.
///
/// Not thread-safe (like every ``VoiceActivityDetector``): one detector per source, fed in order from one task.
public final class SherpaOnnxVoiceActivityDetector: VoiceActivityDetector {
    /// The engine name in errors.
    public static let engine = "silero-vad"
    /// Samples per model window at 16 kHz (silero v5/v6 take 512).
    static let windowSize = 512

    /// The model file.
    public let modelPath: String
    /// The settings it runs with.
    public let settings: Settings

    private let handle: OpaquePointer
    private var clock = SampleClock(sampleRate: SpeechSegment.sampleRate)
    /// Samples given to sherpa since the start (or the last `flush()`): sherpa's own sample index.
    private var fed: Int64 = 0
    /// Where the last segment handed out ended, in sherpa's sample index.
    private var lastEnd: Int64 = 0
    /// The sample index at which sherpa was first seen inside the speech now open; nil in silence.
    private var openSince: Int64?
    /// The samples fed from `recentStart` on (sherpa keeps the open speech to itself): what `openSpeech()` gives.
    private var recent: [Float] = []
    /// sherpa's sample index of `recent[0]`.
    private var recentStart: Int64 = 0

    /// Loads the model.
    ///
    /// - Throws: `SpeechError` `.modelMissing` naming the file when it does not exist or cannot be read (run
    ///   scripts/setup), or when sherpa-onnx refuses it; `.unsupported` naming the setting that is out of range.
    public init(modelPath: String, settings: Settings = Settings()) throws(SpeechError) {
        try settings.validate()
        guard FileManager.default.isReadableFile(atPath: modelPath) else {
            let why = FileManager.default.fileExists(atPath: modelPath) ? "cannot be read" : "does not exist"
            throw SpeechError(
                .modelMissing,
                engine: Self.engine,
                "the silero VAD model \(modelPath) \(why) (scripts/setup puts silero_vad.onnx from PyPI silero-vad 6.2.3 in vendor/models)"
            )
        }
        var config = SherpaOnnxVadModelConfig()
        config.silero_vad.threshold = settings.threshold
        config.silero_vad.min_silence_duration = Float(settings.minimumSilence)
        config.silero_vad.min_speech_duration = Float(settings.minimumSpeech)
        config.silero_vad.max_speech_duration = Float(settings.maximumSegment)
        config.silero_vad.window_size = Int32(Self.windowSize)
        config.sample_rate = Int32(SpeechSegment.sampleRate)
        config.num_threads = Int32(settings.threads)
        config.debug = 0
        // sherpa copies the strings into its own config; they only need to live through the call.
        let bufferSeconds = Float(settings.maximumSegment * 2 + 10)
        let created = modelPath.withCString { model in
            "cpu".withCString { provider in
                config.silero_vad.model = model
                config.provider = provider
                return SherpaOnnxCreateVoiceActivityDetector(&config, bufferSeconds)
            }
        }
        guard let created else {
            throw SpeechError(
                .modelMissing,
                engine: Self.engine,
                "sherpa-onnx could not load \(modelPath) as a silero VAD model (its reason is on stderr)"
            )
        }
        self.modelPath = modelPath
        self.settings = settings
        self.handle = created
    }

    deinit {
        SherpaOnnxDestroyVoiceActivityDetector(handle)
    }

    /// Takes the next 16 kHz samples, the first of them at `startMicros` on the source's clock; returns the
    /// segments that ended in them, or that reached `maximumSegment`.
    public func accept(_ samples: [Float], at startMicros: UInt64) throws(SpeechError) -> [SpeechSegment] {
        guard !samples.isEmpty else { return [] }
        clock.mark(sample: fed, at: startMicros)
        var segments: [SpeechSegment] = []
        samples.withUnsafeBufferPointer { all in
            var offset = 0
            while offset < all.count {
                let count = min(Self.windowSize, all.count - offset)
                SherpaOnnxVoiceActivityDetectorAcceptWaveform(handle, all.baseAddress! + offset, Int32(count))
                recent.append(contentsOf: UnsafeBufferPointer(start: all.baseAddress! + offset, count: count))
                offset += count
                fed += Int64(count)
                segments += drain(isComplete: true)
                segments += cutIfTooLong()
            }
        }
        clock.forget(before: lowWater)
        // Keeps what open speech may still need, trimmed in steps of a second so as not to move the samples on every call.
        let unneeded = Int(min(max(lowWater - recentStart, 0), Int64(recent.count)))
        if unneeded >= SpeechSegment.sampleRate {
            recent.removeFirst(unneeded)
            recentStart += Int64(unneeded)
        }
        return segments
    }

    /// The speech open now: from where its segment will start (sherpa's look-back included) to the last sample
    /// taken; nil in silence.
    public func openSpeech() -> SpeechSegment? {
        guard let openSince else { return nil }
        let start = max(openSince - lookback, lastEnd, recentStart)
        guard start < fed else { return nil }
        let samples = Array(recent[Int(start - recentStart)..<Int(fed - recentStart)])
        return SpeechSegment(samples: samples, startMicros: clock.micros(at: start), isComplete: false)
    }

    /// The source ended: returns the speech still open (as complete), and starts afresh for a new stream.
    public func flush() throws(SpeechError) -> [SpeechSegment] {
        SherpaOnnxVoiceActivityDetectorFlush(handle)
        let segments = drain(isComplete: true)
        SherpaOnnxVoiceActivityDetectorReset(handle)
        clock = SampleClock(sampleRate: SpeechSegment.sampleRate)
        fed = 0
        lastEnd = 0
        openSince = nil
        recent = []
        recentStart = 0
        return segments
    }

    /// The samples sherpa looks back before the first window it counts as speech: two windows (with silero
    /// v5's 64-sample overlap) and the minimum speech length.
    private var lookback: Int64 {
        Int64(2 * (Self.windowSize + 64)) + Int64(settings.minimumSpeech * Double(SpeechSegment.sampleRate))
    }

    /// The earliest sample a segment not yet handed out can start at (a window of margin included).
    private var lowWater: Int64 {
        (openSince ?? fed) - lookback - Int64(Self.windowSize)
    }

    /// Hands out the segments sherpa has finished.
    private func drain(isComplete: Bool) -> [SpeechSegment] {
        var segments: [SpeechSegment] = []
        while SherpaOnnxVoiceActivityDetectorEmpty(handle) == 0 {
            guard let front = SherpaOnnxVoiceActivityDetectorFront(handle) else { break }
            let segment = front.pointee
            let samples =
                segment.n > 0 && segment.samples != nil
                ? Array(UnsafeBufferPointer(start: segment.samples, count: Int(segment.n))) : []
            SherpaOnnxDestroySpeechSegment(front)
            SherpaOnnxVoiceActivityDetectorPop(handle)
            guard segment.start >= 0, !samples.isEmpty else { continue }
            lastEnd = segment.start + Int64(samples.count)
            segments.append(SpeechSegment(samples: samples, startMicros: clock.micros(at: segment.start), isComplete: isComplete))
        }
        return segments
    }

    /// Cuts the open speech when it has reached the maximum length. sherpa-onnx only raises its threshold past
    /// `max_speech_duration` to look for a pause; a live pipeline needs a bound, so the cut here is hard: sherpa's
    /// flush hands out what it holds, and the speech that goes on opens a new segment at the very next sample.
    private func cutIfTooLong() -> [SpeechSegment] {
        guard SherpaOnnxVoiceActivityDetectorDetected(handle) != 0 else {
            openSince = nil
            return []
        }
        let since = openSince ?? fed
        openSince = since
        let openStart = max(since - lookback, lastEnd)
        guard Double(fed - openStart) >= settings.maximumSegment * Double(SpeechSegment.sampleRate) else { return [] }
        SherpaOnnxVoiceActivityDetectorFlush(handle)
        openSince = nil
        return drain(isComplete: false)
    }
}
