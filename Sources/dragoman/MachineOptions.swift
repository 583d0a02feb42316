import ArgumentParser
import DragomanCore
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
            Speech recognition in process instead of the Whisper worker: sherpa=FOLDER, a sherpa-onnx model folder \
            with a manifest.json (kinds offline-transducer, offline-ctc, offline-whisper, online-transducer, \
            online-ctc; README, "Machine booths and captions"). With --whisper-url too, that server still translates \
            speech into English.
            """
    )
    var recognizer: String?

    @Option(
        help: """
            Spoken language identification in process: sherpa=FOLDER, a sherpa-onnx Whisper language-id model folder \
            with a manifest.json (kind language-id-whisper). For a recognizer of one language, which cannot tell \
            languages apart; the machine then hears each segment in the language it names when it is sure.
            """
    )
    var languageID: String?

    @Option(
        help: """
            A voice for one language, LANG=FOLDER: a sherpa-onnx VITS or Piper voice folder with a manifest.json, e.g. \
            en=vendor/models/piper-en_US-joe-medium, or ru=festival for Festival's Russian voice (festival:VOICE for \
            another Festival voice). Repeatable; espeak-ng speaks the other languages.
            """
    )
    var voice: [String] = []

    @Option(help: "onnxruntime threads for each sherpa-onnx recognizer and voice, 1 or 2 (the audio path needs the other cores).")
    var sherpaThreads = 1

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

    @Option(
        help: """
            The longest one request to a recognition or translation engine may take, in seconds, before the machine \
            booth shows it failed (default: 30 for recognition, 20 for translation).
            """
    )
    var engineTimeout: Double?

    @Option(help: "The silero VAD model (default: vendor/models/silero_vad.onnx, which scripts/setup makes).")
    var vadModel: String?

    @Option(help: "Who sets the floor language when machine booths run: manual, suggest or auto (by ear).")
    var floorLanguage = FloorLanguageMode.auto.rawValue

    @Option(
        help: """
            Partial captions while the speaker goes on: the speech still open is heard again once it has lasted this \
            many seconds and each time it has grown by as much, whenever the machine has nothing else to do (0: final \
            lines only).
            """
    )
    var partialCaptions = 1.0

    @Option(
        help: """
            Partial captions are heard only while the recognizer's quickest recent hearing took at most this many \
            seconds (a final line that closes meanwhile waits for the partial; Whisper base on two cores takes 1.4 s).
            """
    )
    var partialHearingLimit = 0.6

    func validate() throws {
        if let engineTimeout, !(1...600).contains(engineTimeout) {
            throw ValidationError("--engine-timeout \(engineTimeout): use 1 to 600 seconds")
        }
        if let translator { _ = try Self.translator(translator) }
        if let recognizer { _ = try Self.sherpaFolder(recognizer, option: "--recognizer") }
        if let languageID { _ = try Self.sherpaFolder(languageID, option: "--language-id") }
        for spec in voice { _ = try Self.voice(spec) }
        guard SherpaOnnxThreads.allowed.contains(sherpaThreads) else { throw ValidationError("--sherpa-threads \(sherpaThreads): use 1 or 2") }
        guard partialCaptions == 0 || (0.5...10).contains(partialCaptions) else {
            throw ValidationError("--partial-captions \(partialCaptions): use 0 (off) or 0.5 to 10 seconds")
        }
        guard (0.05...30).contains(partialHearingLimit) else {
            throw ValidationError("--partial-hearing-limit \(partialHearingLimit): use 0.05 to 30 seconds")
        }
        guard FloorLanguageMode(rawValue: floorLanguage) != nil else {
            throw ValidationError("--floor-language \(floorLanguage): use manual, suggest or auto")
        }
    }

    /// The engines, or nil when there is no recognizer: none given, and no local Whisper worker to start.
    func engines() throws -> MachineEngines? {
        if let recognizer { return try sherpaEngines(recognizer) }
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
        let transcriber = OpenAITranscriber(baseURL: recognizerURL, options: recognitionOptions)
        return MachineEngines(
            makeDetector: { () throws(SpeechError) -> any VoiceActivityDetector in try SherpaOnnxVoiceActivityDetector(modelPath: model) },
            recognizer: transcriber,
            identifier: try languageIdentifier(),
            translator: try translator.map { try Self.translator($0, options: translationOptions) },
            speechTranslator: transcriber,
            synthesizer: try synthesizer(),
            floorLanguage: FloorLanguageMode(rawValue: floorLanguage) ?? .auto,
            partialCaptions: partialCaptionSchedule,
            localEngines: localEngines
        )
    }

    /// The engines with a sherpa-onnx recognizer in process: no Whisper worker is started; --whisper-url, when
    /// given, still translates speech into English.
    private func sherpaEngines(_ spec: String) throws -> MachineEngines {
        let folder = try Self.sherpaFolder(spec, option: "--recognizer")
        let model = try vadModel ?? Self.defaultVADModel()
        return MachineEngines(
            makeDetector: { () throws(SpeechError) -> any VoiceActivityDetector in try SherpaOnnxVoiceActivityDetector(modelPath: model) },
            recognizer: try SherpaOnnxEngines.recognizer(folder: folder, threads: sherpaThreads),
            identifier: try languageIdentifier(),
            translator: try translator.map { try Self.translator($0, options: translationOptions) },
            speechTranslator: whisperURL.map { OpenAITranscriber(baseURL: $0, options: recognitionOptions) },
            synthesizer: try synthesizer(),
            floorLanguage: FloorLanguageMode(rawValue: floorLanguage) ?? .auto,
            partialCaptions: partialCaptionSchedule
        )
    }

    /// --partial-captions as a schedule; nil when off.
    var partialCaptionSchedule: PartialCaptionSchedule? {
        guard partialCaptions > 0 else { return nil }
        let micros = UInt64(partialCaptions * 1_000_000)
        return PartialCaptionSchedule(firstAfter: micros, every: micros, hearingLimit: UInt64(partialHearingLimit * 1_000_000))
    }

    /// The --language-id identifier, loaded (a missing or broken model stops the server with its reason).
    func languageIdentifier() throws -> (any SpokenLanguageIdentifier)? {
        guard let languageID else { return nil }
        return try SherpaOnnxLanguageIdentifier(folder: try Self.sherpaFolder(languageID, option: "--language-id"), threads: sherpaThreads)
    }

    /// espeak-ng, with the --voice voices for their languages.
    func synthesizer() throws -> any SpeechSynthesizer {
        guard !voice.isEmpty else { return try EspeakSynthesizer() }
        var chosen: [LanguageTag: any SpeechSynthesizer] = [:]
        for spec in voice {
            let (language, folder) = try Self.voice(spec)
            if let festivalVoice = Self.festivalVoice(folder) {
                chosen[language] = try FestivalSynthesizer(voice: festivalVoice, language: language)
            } else {
                chosen[language] = try SherpaOnnxSynthesizer(folder: folder, threads: sherpaThreads)
            }
        }
        return VoicesByLanguage(chosen, fallback: try? EspeakSynthesizer())
    }

    /// Reads `sherpa=FOLDER`, the value of `option`.
    static func sherpaFolder(_ text: String, option: String) throws -> String {
        guard text.hasPrefix("sherpa="), text.count > "sherpa=".count else {
            throw ValidationError("\(option) \(text): expected sherpa=FOLDER (a sherpa-onnx model folder with a manifest.json)")
        }
        return String(text.dropFirst("sherpa=".count))
    }

    /// `festival` (Debian's Russian voice) or `festival:VOICE` as a --voice's folder; nil for a folder.
    static func festivalVoice(_ folder: String) -> String? {
        if folder == "festival" { return FestivalSynthesizer.russianVoice }
        guard folder.hasPrefix("festival:") else { return nil }
        return String(folder.dropFirst("festival:".count))
    }

    /// Reads `LANG=FOLDER`.
    static func voice(_ text: String) throws -> (LanguageTag, String) {
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, let language = LanguageTag(parts[0]), !parts[1].isEmpty else {
            throw ValidationError("--voice \(text): expected LANG=FOLDER, e.g. kk=models/kk_KZ-issai-high")
        }
        return (language, parts[1])
    }

    /// The recognizer's request options: --engine-timeout, or 30 s.
    var recognitionOptions: HTTPEngineOptions { .init(timeout: engineTimeout.map { .seconds($0) } ?? .seconds(30)) }

    /// The translator's request options: --engine-timeout, or 20 s.
    var translationOptions: HTTPEngineOptions { .init(timeout: engineTimeout.map { .seconds($0) } ?? .seconds(20)) }

    /// Reads `libretranslate=URL`, `deepl=URL,KEY` or `openai=URL,MODEL`.
    static func translator(_ text: String, options: HTTPEngineOptions = .init()) throws -> any TextTranslator {
        let (kind, rest) = (text.prefix { $0 != "=" }, text.drop { $0 != "=" }.dropFirst())
        let parts = rest.split(separator: ",", maxSplits: 1).map(String.init)
        switch (kind, parts.count) {
        case ("libretranslate", 1): return LibreTranslateTranslator(baseURL: parts[0], options: options)
        case ("deepl", 2): return DeepLTranslator(baseURL: parts[0], authKey: parts[1], options: options)
        case ("openai", 2): return OpenAIChatTranslator(baseURL: parts[0], model: parts[1], options: options)
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
