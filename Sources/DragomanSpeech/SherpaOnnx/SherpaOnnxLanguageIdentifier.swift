internal import CSherpaOnnx
public import DragomanCore
import Foundation

/// Spoken language identification by a sherpa-format Whisper model run in process (kind `language-id-whisper`,
/// roles encoder and decoder, from a folder with a `manifest.json`).
///
/// sherpa-onnx names one language per segment and no probabilities: the language it names gets nearly all the
/// probability among the candidates (``SpokenLanguageEvidence/rank(probabilities:detected:text:among:)``).
public final class SherpaOnnxLanguageIdentifier: SpokenLanguageIdentifier, @unchecked Sendable {
    // @unchecked Sendable: the handle is set once and freed in deinit; every call that uses it runs with `lock`
    // held, one segment at a time.

    public let manifest: SherpaOnnxModelManifest
    /// The name in errors: `sherpa-onnx language-id-whisper <folder name>`.
    public let engine: String
    private let handle: OpaquePointer
    private let lock = NSLock()

    /// Loads the Whisper model in `folder`.
    ///
    /// - Throws: `SpeechError` `.modelMissing` naming the folder, the manifest, or the role and file that is missing
    ///   (checked before sherpa-onnx sees any path), or when sherpa-onnx refuses the files; `.unsupported` for a
    ///   folder of another kind or a thread count outside 1…2.
    public init(folder: String, threads: Int = 1) throws(SpeechError) {
        let manifest = try SherpaOnnxModelManifest.loadChecked(folder: folder, kinds: [.languageIDWhisper], for: "the language identifier")
        let engine = manifest.engineName
        try SherpaOnnxThreads.check(threads, engine: engine)
        let strings = CStringArena()
        var config = SherpaOnnxSpokenLanguageIdentificationConfig()
        config.whisper.encoder = strings(manifest.requiredPath(.encoder))
        config.whisper.decoder = strings(manifest.requiredPath(.decoder))
        config.whisper.tail_paddings = -1
        config.num_threads = Int32(threads)
        config.debug = 0
        config.provider = strings("cpu")
        guard let created = withExtendedLifetime(strings, { SherpaOnnxCreateSpokenLanguageIdentification(&config) }) else {
            throw SpeechError(
                .modelMissing,
                engine: engine,
                "sherpa-onnx could not load \(folder) as a Whisper language identifier (its reason is on stderr)"
            )
        }
        self.manifest = manifest
        self.engine = engine
        self.handle = created
    }

    deinit {
        SherpaOnnxDestroySpokenLanguageIdentification(handle)
    }

    /// The candidates, most likely first; the language Whisper names comes first when it is among them.
    public func identify(_ segment: SpeechSegment, among candidates: [LanguageTag]) async throws(SpeechError) -> [(LanguageTag, Double)] {
        try segment.checkNotEmpty(engine: engine)
        let detected = lock.withLock { () -> String? in
            guard let stream = SherpaOnnxSpokenLanguageIdentificationCreateOfflineStream(handle) else { return nil }
            defer { SherpaOnnxDestroyOfflineStream(stream) }
            segment.samples.withUnsafeBufferPointer { samples in
                SherpaOnnxAcceptWaveformOffline(stream, Int32(SpeechSegment.sampleRate), samples.baseAddress, Int32(samples.count))
            }
            guard let result = SherpaOnnxSpokenLanguageIdentificationCompute(handle, stream) else { return nil }
            defer { SherpaOnnxDestroySpokenLanguageIdentificationResult(result) }
            return result.pointee.lang.map { String(cString: $0) }
        }
        guard let detected, let tag = LanguageTag(detected) else {
            throw SpeechError(.failed, engine: engine, "sherpa-onnx named no language for the segment")
        }
        return SpokenLanguageEvidence.rank(probabilities: [:], detected: tag, text: "", among: candidates)
    }
}
