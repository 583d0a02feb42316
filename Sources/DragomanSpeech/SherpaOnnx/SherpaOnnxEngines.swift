/// Loads sherpa-onnx engines by what their model folder's manifest says.
public enum SherpaOnnxEngines {
    /// The recognizer for the model in `folder`: offline (transducer, CTC, Whisper) or streaming (transducer, CTC),
    /// as its manifest says.
    ///
    /// - Throws: `SpeechError` `.modelMissing` naming the folder, manifest, role or file that is missing;
    ///   `.unsupported` when the folder holds a model that does not recognize speech.
    public static func recognizer(folder: String, threads: Int = 1) throws(SpeechError) -> any SpeechRecognizer {
        let manifest = try SherpaOnnxModelManifest.load(folder: folder)
        if manifest.kind.isStreaming { return try SherpaOnnxOnlineRecognizer(folder: folder, threads: threads) }
        guard manifest.kind.isRecognizer else {
            throw SpeechError(
                .unsupported,
                engine: SherpaOnnxModelManifest.engine,
                "\(folder) holds a \(manifest.kind.rawValue) model, which does not recognize speech"
            )
        }
        return try SherpaOnnxOfflineRecognizer(folder: folder, threads: threads)
    }
}
