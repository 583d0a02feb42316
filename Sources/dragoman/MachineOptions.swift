import ArgumentParser
import DragomanServer
import DragomanSpeech
import Foundation

/// The options that give a server's machine booths their engines.
struct MachineOptions: ParsableArguments {
    @Option(
        help: """
            Speech recognition for machine booths: an OpenAI-compatible audio API, e.g. the local Whisper worker \
            (scripts/whisper-worker --port 8971) at http://127.0.0.1:8971. Without it, machine booths stay idle.
            """
    )
    var whisperURL: String?

    @Option(
        help: """
            Text translation for machine booths: libretranslate=URL, deepl=URL,KEY or openai=URL,MODEL. Without it, \
            only English booths interpret (the Whisper worker translates speech into English).
            """
    )
    var translator: String?

    @Flag(
        help: """
            Do not start the local Whisper worker. Without --whisper-url, serve otherwise starts it (on a free \
            loopback port) when an event with machine booths opens, if scripts/setup installed it, and restarts it \
            if it dies.
            """
    )
    var noLocalEngines = false

    @Option(help: "The silero VAD model (default: vendor/models/silero_vad.onnx, which scripts/setup makes).")
    var vadModel: String?

    @Option(help: "Who sets the floor language when machine booths run: manual, suggest or auto (by ear).")
    var floorLanguage = FloorLanguageMode.auto.rawValue

    func validate() throws {
        if let translator { _ = try Self.translator(translator) }
        guard FloorLanguageMode(rawValue: floorLanguage) != nil else {
            throw ValidationError("--floor-language \(floorLanguage): use manual, suggest or auto")
        }
    }

    /// The engines, or nil when there is no recognizer: none given, and no local Whisper worker to start.
    func engines() throws -> MachineEngines? {
        var localEngines: [LocalEngine] = []
        var recognizerURL = whisperURL
        if recognizerURL == nil, !noLocalEngines, let worker = LocalWhisperWorker.find() {
            let port = try LocalWhisperWorker.freeLoopbackPort()
            localEngines.append(worker.engine(port: port))
            recognizerURL = "http://127.0.0.1:\(port)"
        }
        guard let recognizerURL else { return nil }
        // A local worker found by itself never stops the server from starting: without the VAD it is left off.
        if whisperURL == nil && vadModel == nil && InstallFolders.find(Self.vadModelPath) == nil { return nil }
        let model = try vadModel ?? Self.defaultVADModel()
        let transcriber = OpenAITranscriber(baseURL: recognizerURL)
        return MachineEngines(
            makeDetector: { () throws(SpeechError) -> any VoiceActivityDetector in try SherpaOnnxVoiceActivityDetector(modelPath: model) },
            recognizer: transcriber,
            translator: try translator.map(Self.translator),
            speechTranslator: transcriber,
            synthesizer: try EspeakSynthesizer(),
            floorLanguage: FloorLanguageMode(rawValue: floorLanguage) ?? .auto,
            localEngines: localEngines
        )
    }

    /// Reads `libretranslate=URL`, `deepl=URL,KEY` or `openai=URL,MODEL`.
    static func translator(_ text: String) throws -> any TextTranslator {
        let (kind, rest) = (text.prefix { $0 != "=" }, text.drop { $0 != "=" }.dropFirst())
        let parts = rest.split(separator: ",", maxSplits: 1).map(String.init)
        switch (kind, parts.count) {
        case ("libretranslate", 1): return LibreTranslateTranslator(baseURL: parts[0])
        case ("deepl", 2): return DeepLTranslator(baseURL: parts[0], authKey: parts[1])
        case ("openai", 2): return OpenAIChatTranslator(baseURL: parts[0], model: parts[1])
        default:
            throw ValidationError("--translator \(text): expected libretranslate=URL, deepl=URL,KEY or openai=URL,MODEL")
        }
    }

    static let vadModelPath = "vendor/models/silero_vad.onnx"

    /// vendor/models/silero_vad.onnx of the repository the binary was built in, or of the current folder.
    static func defaultVADModel() throws -> String {
        guard let path = InstallFolders.find(vadModelPath) else {
            throw ValidationError("no silero VAD model at \(vadModelPath) (run scripts/setup), and no --vad-model given")
        }
        return path
    }
}
