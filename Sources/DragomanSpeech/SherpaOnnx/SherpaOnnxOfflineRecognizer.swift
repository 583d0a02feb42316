internal import CSherpaOnnx
public import DragomanCore
import Foundation

/// A non-streaming sherpa-onnx recognizer run in process: transducers, the CTC families (NeMo, GigaAM, zipformer,
/// WeNet, omnilingual, Dolphin) and Whisper, from a model folder with a `manifest.json`
/// (``SherpaOnnxModelManifest``).
///
/// Each segment is decoded whole, greedy search. Hints (the glossary) are not used: sherpa-onnx takes hotwords
/// only with modified beam search on transducers. A Whisper model detects the language itself, and says it.
public final class SherpaOnnxOfflineRecognizer: SpeechRecognizer, @unchecked Sendable {
    // @unchecked Sendable: the handle is set once and freed in deinit; every call that uses it (stream creation,
    // decoding, results) runs with `lock` held, so one decoder works at a time, as sherpa-onnx's C API expects.

    /// The kinds it loads.
    public static let kinds: [SherpaOnnxModelManifest.Kind] = [.offlineTransducer, .offlineCTC, .offlineWhisper]

    public let manifest: SherpaOnnxModelManifest
    /// The name in errors: `sherpa-onnx <kind> <folder name>`.
    public let engine: String
    private let handle: OpaquePointer
    private let lock = NSLock()

    /// Loads the model in `folder`.
    ///
    /// - Throws: `SpeechError` `.modelMissing` naming the folder, the manifest, or the role and file that is missing
    ///   (checked before sherpa-onnx sees any path), or when sherpa-onnx refuses the files; `.unsupported` for a
    ///   folder of another kind or a thread count outside 1…2.
    public init(folder: String, threads: Int = 1) throws(SpeechError) {
        let manifest = try SherpaOnnxModelManifest.loadChecked(folder: folder, kinds: Self.kinds, for: "the offline recognizer")
        let engine = manifest.engineName
        try SherpaOnnxThreads.check(threads, engine: engine)
        let strings = CStringArena()
        var config = SherpaOnnxOfflineRecognizerConfig()
        config.feat_config.sample_rate = Int32(manifest.sampleRate ?? SpeechSegment.sampleRate)
        config.feat_config.feature_dim = Int32(manifest.featureDimension ?? 80)
        config.model_config.tokens = strings(manifest.requiredPath(.tokens))
        config.model_config.num_threads = Int32(threads)
        config.model_config.provider = strings("cpu")
        config.model_config.debug = 0
        config.decoding_method = strings("greedy_search")
        switch manifest.kind {
        case .offlineTransducer:
            config.model_config.transducer.encoder = strings(manifest.requiredPath(.encoder))
            config.model_config.transducer.decoder = strings(manifest.requiredPath(.decoder))
            config.model_config.transducer.joiner = strings(manifest.requiredPath(.joiner))
        case .offlineWhisper:
            config.model_config.whisper.encoder = strings(manifest.requiredPath(.encoder))
            config.model_config.whisper.decoder = strings(manifest.requiredPath(.decoder))
            config.model_config.whisper.language = strings(manifest.languages.count == 1 ? manifest.languages[0].value : "")
            config.model_config.whisper.task = strings("transcribe")
            config.model_config.whisper.tail_paddings = -1
        default:
            let model = strings(manifest.requiredPath(.model))
            switch manifest.family {
            case .nemo, .gigaam: config.model_config.nemo_ctc.model = model
            case .zipformer: config.model_config.zipformer_ctc.model = model
            case .wenet: config.model_config.wenet_ctc.model = model
            case .omnilingual: config.model_config.omnilingual.model = model
            case .dolphin: config.model_config.dolphin.model = model
            case .tOne, .zipformer2, nil:
                throw SpeechError(.unsupported, engine: engine, "family \(manifest.family?.rawValue ?? "none") is not an offline CTC family")
            }
        }
        guard let created = withExtendedLifetime(strings, { SherpaOnnxCreateOfflineRecognizer(&config) }) else {
            throw SpeechError(
                .modelMissing,
                engine: engine,
                "sherpa-onnx could not load \(folder) as a \(manifest.kind.rawValue) model\(manifest.family.map { " (\($0.rawValue))" } ?? "") (its reason is on stderr)"
            )
        }
        self.manifest = manifest
        self.engine = engine
        self.handle = created
    }

    deinit {
        SherpaOnnxDestroyOfflineRecognizer(handle)
    }

    /// Transcribes a 16 kHz segment. `language` must be one the manifest lists, when it lists any.
    public func transcribe(_ segment: SpeechSegment, language: LanguageTag?, hints: [String]) async throws(SpeechError) -> Transcript {
        try segment.checkNotEmpty(engine: engine)
        try SherpaOnnxRecognizerLanguages.check(language, manifest: manifest, engine: engine)
        let (text, detected) = lock.withLock { () -> (String, String?) in
            let stream = SherpaOnnxCreateOfflineStream(handle)
            defer { SherpaOnnxDestroyOfflineStream(stream) }
            segment.samples.withUnsafeBufferPointer { samples in
                SherpaOnnxAcceptWaveformOffline(stream, Int32(SpeechSegment.sampleRate), samples.baseAddress, Int32(samples.count))
            }
            SherpaOnnxDecodeOfflineStream(handle, stream)
            guard let result = SherpaOnnxGetOfflineStreamResult(stream) else { return ("", nil) }
            defer { SherpaOnnxDestroyOfflineRecognizerResult(result) }
            let text = result.pointee.text.map { String(cString: $0) } ?? ""
            let lang = result.pointee.lang.map { String(cString: $0) }
            return (text, lang)
        }
        return Transcript(
            text: text.trimmingCharacters(in: .whitespacesAndNewlines),
            language: SherpaOnnxRecognizerLanguages.heard(detected, requested: language, manifest: manifest)
        )
    }
}

/// How recognizers treat languages: a model that lists its languages refuses others; the language reported is
/// the engine's own (Whisper's `<|ru|>`), else the requested one, else the model's only language.
enum SherpaOnnxRecognizerLanguages {
    static func check(_ language: LanguageTag?, manifest: SherpaOnnxModelManifest, engine: String) throws(SpeechError) {
        guard let language, !manifest.languages.isEmpty else { return }
        let primary = language.value.split(separator: "-").first.map(String.init) ?? language.value
        guard manifest.languages.contains(where: { $0 == language || $0.value == primary }) else {
            throw SpeechError(
                .unsupported,
                engine: engine,
                "the model hears \(manifest.languages.map(\.value).joined(separator: ", ")), not '\(language)'"
            )
        }
    }

    static func heard(_ detected: String?, requested: LanguageTag?, manifest: SherpaOnnxModelManifest) -> LanguageTag? {
        if let detected {
            let cleaned = detected.trimmingCharacters(in: CharacterSet(charactersIn: "<|> "))
            if let tag = LanguageTag(cleaned) { return tag }
        }
        return requested ?? (manifest.languages.count == 1 ? manifest.languages[0] : nil)
    }
}
