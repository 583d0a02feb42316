internal import CSherpaOnnx
public import DragomanAudio
public import DragomanCore
import Foundation

/// A VITS voice run by sherpa-onnx in process (kind `tts-vits`), Piper voices included (e.g. `en_US-joe-medium`,
/// `kk_KZ-issai-high`), from a folder with a `manifest.json`.
///
/// A Piper voice takes IPA phonemes: sherpa-onnx 2.x ignores `data_dir`, so the text is phonemized here with
/// espeak-ng in process (the manifest's `espeak_voice`) and handed over as codepoints, one sentence each. A VITS
/// voice with a lexicon takes the text as it is.
public final class SherpaOnnxSynthesizer: SpeechSynthesizer, @unchecked Sendable {
    // @unchecked Sendable: the handle is set once and freed in deinit; every call that uses it runs with `lock`
    // held, one text at a time.

    public let manifest: SherpaOnnxModelManifest
    /// The name in errors: `sherpa-onnx tts-vits <folder name>`.
    public let engine: String
    /// The manifest's languages.
    public let languages: Set<LanguageTag>
    /// The rate of the audio it gives.
    public let sampleRate: Int
    private let handle: OpaquePointer
    private let lock = NSLock()

    /// Loads the voice in `folder`.
    ///
    /// - Throws: `SpeechError` `.modelMissing` naming the folder, the manifest, or the role and file that is missing
    ///   (checked before sherpa-onnx sees any path), or when sherpa-onnx refuses the files; `.unsupported` for a
    ///   folder of another kind, a manifest without languages, or a thread count outside 1…2.
    public init(folder: String, threads: Int = 1) throws(SpeechError) {
        let manifest = try SherpaOnnxModelManifest.loadChecked(folder: folder, kinds: [.ttsVITS], for: "the synthesizer")
        let engine = manifest.engineName
        try SherpaOnnxThreads.check(threads, engine: engine)
        guard !manifest.languages.isEmpty else {
            throw SpeechError(
                .unsupported,
                engine: engine,
                "\(folder)/\(SherpaOnnxModelManifest.fileName) names no \"languages\": say which language the voice speaks"
            )
        }
        if let voice = manifest.espeakVoice {
            // The phonemizer must be there before the voice is worth loading.
            _ = try EspeakLibrary.shared.withLoaded(dataPath: nil) { loaded throws(SpeechError) in
                try EspeakLibrary.shared.ipaPhonemes("a", voice: voice)
            }
        }
        let strings = CStringArena()
        var config = SherpaOnnxOfflineTtsConfig()
        config.model.vits.model = strings(manifest.requiredPath(.model))
        config.model.vits.tokens = strings(manifest.requiredPath(.tokens))
        if let lexicon = manifest.path(.lexicon) { config.model.vits.lexicon = strings(lexicon) }
        config.model.vits.noise_scale = 0.667
        config.model.vits.noise_scale_w = 0.8
        config.model.vits.length_scale = 1
        config.model.num_threads = Int32(threads)
        config.model.debug = 0
        config.model.provider = strings("cpu")
        config.max_num_sentences = 1
        guard let created = withExtendedLifetime(strings, { SherpaOnnxCreateOfflineTts(&config) }) else {
            throw SpeechError(
                .modelMissing,
                engine: engine,
                "sherpa-onnx could not load \(folder) as a VITS voice (a Piper voice needs its metadata in the ONNX file and a tokens.txt; its reason is on stderr)"
            )
        }
        self.manifest = manifest
        self.engine = engine
        self.languages = Set(manifest.languages)
        self.sampleRate = Int(SherpaOnnxOfflineTtsSampleRate(created))
        self.handle = created
    }

    deinit {
        SherpaOnnxDestroyOfflineTts(handle)
    }

    /// Speaks `text`; returns mono audio at the voice's rate.
    ///
    /// - Throws: `SpeechError` `.unsupported` for a language the voice does not speak or an empty text, `.failed`
    ///   when sherpa-onnx gives no audio.
    public func synthesize(_ text: String, language: LanguageTag) async throws(SpeechError) -> PCMAudio {
        let primary = language.value.split(separator: "-").first.map(String.init) ?? language.value
        guard languages.contains(where: { $0 == language || $0.value == primary }) else {
            throw SpeechError(
                .unsupported,
                engine: engine,
                "the voice speaks \(languages.map(\.value).sorted().joined(separator: ", ")), not '\(language)'"
            )
        }
        guard text.contains(where: { !$0.isWhitespace }) else {
            throw SpeechError(.unsupported, engine: engine, "the text to speak is empty")
        }
        var codepoints: [Int32] = []
        var lengths: [Int32] = []
        if let voice = manifest.espeakVoice {
            let sentences = try EspeakLibrary.shared.withLoaded(dataPath: nil) { loaded throws(SpeechError) in
                try EspeakLibrary.shared.ipaPhonemes(text, voice: voice)
            }
            for sentence in sentences {
                let scalars = sentence.unicodeScalars.map { Int32(bitPattern: $0.value) }
                guard !scalars.isEmpty else { continue }
                codepoints += scalars
                lengths.append(Int32(scalars.count))
            }
            guard !lengths.isEmpty else { throw SpeechError(.unsupported, engine: engine, "espeak-ng gave no phonemes for the text") }
        }
        let samples = lock.withLock { () -> [Float]? in
            var generation = SherpaOnnxGenerationConfig()
            generation.speed = 1
            generation.silence_scale = 0.2
            generation.sid = 0
            let audio = codepoints.withUnsafeBufferPointer { points in
                lengths.withUnsafeBufferPointer { lens in
                    if !lens.isEmpty {
                        generation.phoneme_codepoints = points.baseAddress
                        generation.phoneme_codepoints_lens = lens.baseAddress
                        generation.phoneme_codepoints_num_sentences = Int32(lens.count)
                    }
                    return SherpaOnnxOfflineTtsGenerateWithConfig(handle, lens.isEmpty ? text : "", &generation, nil, nil)
                }
            }
            guard let audio else { return nil }
            defer { SherpaOnnxDestroyOfflineTtsGeneratedAudio(audio) }
            let count = Int(audio.pointee.n)
            guard count > 0, let start = audio.pointee.samples else { return [] }
            return Array(UnsafeBufferPointer(start: start, count: count))
        }
        guard let samples, !samples.isEmpty else {
            throw SpeechError(.failed, engine: engine, "sherpa-onnx gave no audio for the text (its reason is on stderr)")
        }
        return PCMAudio(sampleRate: sampleRate, channels: 1, samples: samples)
    }
}
