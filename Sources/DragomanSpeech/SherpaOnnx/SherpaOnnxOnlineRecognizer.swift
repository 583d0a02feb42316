internal import CSherpaOnnx
public import DragomanCore
import Foundation

/// A streaming sherpa-onnx recognizer run in process, used segment-wise: streaming transducers (e.g.
/// `sherpa-onnx-streaming-zipformer-small-ru-vosk-int8`) and streaming CTC (T-one at 8 kHz, zipformer2, NeMo),
/// from a model folder with a `manifest.json` (``SherpaOnnxModelManifest``).
///
/// Each segment gets a fresh stream: it is fed whole (16 kHz; sherpa-onnx resamples to the model's rate, e.g.
/// 8 kHz for T-one), finished, and decoded to the end. Partial results while a segment is still open are not
/// given: the ``SpeechRecognizer`` protocol is segment-wise.
public final class SherpaOnnxOnlineRecognizer: SpeechRecognizer, @unchecked Sendable {
    // @unchecked Sendable: the handle is set once and freed in deinit; every call that uses it runs with `lock`
    // held, one segment at a time.

    /// The kinds it loads.
    public static let kinds: [SherpaOnnxModelManifest.Kind] = [.onlineTransducer, .onlineCTC]

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
        let manifest = try SherpaOnnxModelManifest.loadChecked(folder: folder, kinds: Self.kinds, for: "the streaming recognizer")
        let engine = manifest.engineName
        try SherpaOnnxThreads.check(threads, engine: engine)
        let strings = CStringArena()
        var config = SherpaOnnxOnlineRecognizerConfig()
        config.feat_config.sample_rate = Int32(manifest.sampleRate ?? SpeechSegment.sampleRate)
        config.feat_config.feature_dim = Int32(manifest.featureDimension ?? 80)
        config.model_config.tokens = strings(manifest.requiredPath(.tokens))
        config.model_config.num_threads = Int32(threads)
        config.model_config.provider = strings("cpu")
        config.model_config.debug = 0
        config.decoding_method = strings("greedy_search")
        config.enable_endpoint = 0
        switch manifest.kind {
        case .onlineTransducer:
            config.model_config.transducer.encoder = strings(manifest.requiredPath(.encoder))
            config.model_config.transducer.decoder = strings(manifest.requiredPath(.decoder))
            config.model_config.transducer.joiner = strings(manifest.requiredPath(.joiner))
        default:
            let model = strings(manifest.requiredPath(.model))
            switch manifest.family {
            case .tOne: config.model_config.t_one_ctc.model = model
            case .zipformer2: config.model_config.zipformer2_ctc.model = model
            case .nemo: config.model_config.nemo_ctc.model = model
            default:
                throw SpeechError(.unsupported, engine: engine, "family \(manifest.family?.rawValue ?? "none") is not a streaming CTC family")
            }
        }
        guard let created = withExtendedLifetime(strings, { SherpaOnnxCreateOnlineRecognizer(&config) }) else {
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
        SherpaOnnxDestroyOnlineRecognizer(handle)
    }

    /// Transcribes a 16 kHz segment. `language` must be one the manifest lists, when it lists any.
    public func transcribe(_ segment: SpeechSegment, language: LanguageTag?, hints: [String]) async throws(SpeechError) -> Transcript {
        try segment.checkNotEmpty(engine: engine)
        try SherpaOnnxRecognizerLanguages.check(language, manifest: manifest, engine: engine)
        let text = lock.withLock { () -> String in
            guard let stream = SherpaOnnxCreateOnlineStream(handle) else { return "" }
            defer { SherpaOnnxDestroyOnlineStream(stream) }
            segment.samples.withUnsafeBufferPointer { samples in
                SherpaOnnxOnlineStreamAcceptWaveform(stream, Int32(SpeechSegment.sampleRate), samples.baseAddress, Int32(samples.count))
            }
            // Tail padding, so the last frames reach the model's right context, then the end of input.
            let padding = [Float](repeating: 0, count: SpeechSegment.sampleRate * 3 / 10)
            padding.withUnsafeBufferPointer { samples in
                SherpaOnnxOnlineStreamAcceptWaveform(stream, Int32(SpeechSegment.sampleRate), samples.baseAddress, Int32(samples.count))
            }
            SherpaOnnxOnlineStreamInputFinished(stream)
            while SherpaOnnxIsOnlineStreamReady(handle, stream) != 0 {
                SherpaOnnxDecodeOnlineStream(handle, stream)
            }
            guard let result = SherpaOnnxGetOnlineStreamResult(handle, stream) else { return "" }
            defer { SherpaOnnxDestroyOnlineRecognizerResult(result) }
            return result.pointee.text.map { String(cString: $0) } ?? ""
        }
        return Transcript(
            text: text.trimmingCharacters(in: .whitespacesAndNewlines),
            language: SherpaOnnxRecognizerLanguages.heard(nil, requested: language, manifest: manifest)
        )
    }
}
