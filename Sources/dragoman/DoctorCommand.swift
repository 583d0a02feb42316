import ArgumentParser
import DragomanAudio
import DragomanCore
import DragomanServer
import DragomanSpeech
import Foundation

/// `dragoman doctor`: which machine-booth engines work on this machine now, tried for real (the VAD model loaded,
/// a sentence synthesized and transcribed back, a phrase translated), and what each missing one would enable.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check which machine-booth engines and models work on this machine now, and for which languages.",
        discussion: """
            Loads the VAD model, speaks a test sentence with espeak-ng and has it transcribed (by the local Whisper \
            worker, started for the check, or by --whisper-url), and translates a phrase with --translator when given. \
            Exits 1 when machine booths cannot run at all (no VAD or no recognizer).
            """
    )

    @OptionGroup(title: "Engines to check (as for serve)") var machine: MachineOptions

    @Option(help: "The event's languages, to say what a machine booth can do in each.")
    var languages = "ru,kk,en"

    func validate() throws {
        try machine.validate()
        guard !languages.split(separator: ",").contains(where: { LanguageTag(String($0)) == nil }) else {
            throw ValidationError("--languages \(languages): give language tags separated by commas, e.g. ru,kk,en")
        }
    }

    func run() async throws {
        let tags = languages.split(separator: ",").compactMap { LanguageTag(String($0)) }
        var report = DoctorReport()

        // Voice activity: the model must load in sherpa-onnx, not just exist.
        let vadPath = machine.vadModel ?? InstallFolders.find(MachineOptions.vadModelPath)
        if let vadPath {
            do {
                _ = try SherpaOnnxVoiceActivityDetector(modelPath: vadPath)
                report.add(.ready, "voice activity", "silero VAD, \(vadPath)")
            } catch {
                report.add(.failed, "voice activity", error.description)
            }
        } else {
            report.add(
                .missing,
                "voice activity",
                "no \(MachineOptions.vadModelPath) (run scripts/setup): machine booths cannot cut the floor into speech"
            )
        }

        // Voices: espeak-ng in process.
        let voices = try? EspeakSynthesizer()
        if let voices {
            let named = tags.filter { voices.voice(for: $0) != nil }.map(\.value)
            report.add(
                .ready,
                "voices",
                "espeak-ng, \(voices.languages.count) languages, of the event's: \(named.isEmpty ? "none" : named.joined(separator: ", "))"
            )
        } else {
            report.add(.missing, "voices", "espeak-ng (Debian libespeak-ng1, espeak-ng-data) does not load: machine booths give captions only")
        }

        // The voices given with --voice (sherpa-onnx or Festival): each loaded and made to speak.
        var sherpaVoices: Set<LanguageTag> = []
        for spec in machine.voice {
            let (language, folder) = try MachineOptions.voice(spec)
            let outcome = await Self.trySherpaVoice(folder: folder, language: language, threads: machine.sherpaThreads)
            switch outcome {
            case .success(let detail):
                sherpaVoices.insert(language)
                report.add(.ready, "voice \(language.value)", detail)
            case .failure(let problem):
                report.add(.failed, "voice \(language.value)", problem.description)
            }
        }

        // Language identification of its own: a real sentence, spoken and identified.
        if let spec = machine.languageID {
            let folder = try MachineOptions.sherpaFolder(spec, option: "--language-id")
            switch await Self.trySherpaLanguageIdentifier(folder: folder, voices: voices, threads: machine.sherpaThreads) {
            case .success(let detail): report.add(.ready, "language identification", detail)
            case .failure(let problem): report.add(.failed, "language identification", problem.description)
            }
        }

        // Recognition: a real sentence, spoken and transcribed back.
        var worker: Process?
        var recognizerURL = machine.recognizer == nil ? machine.whisperURL : nil
        var recognizerName = machine.whisperURL.map { "the recognizer at \($0)" } ?? ""
        var recognized = false
        if let spec = machine.recognizer {
            let folder = try MachineOptions.sherpaFolder(spec, option: "--recognizer")
            switch await Self.trySherpaRecognizer(folder: folder, voices: voices, threads: machine.sherpaThreads) {
            case .success(let detail):
                recognized = true
                report.add(.ready, "recognition", detail)
            case .failure(let problem):
                report.add(.failed, "recognition", problem.description)
            }
        } else if recognizerURL == nil {
            if let local = LocalWhisperWorker.find() {
                let port = try LocalWhisperWorker.freeLoopbackPort()
                let engine = local.engine(port: port)
                let process = Process()
                process.executableURL = URL(fileURLWithPath: engine.executable)
                process.arguments = engine.arguments
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                try process.run()
                worker = process
                recognizerURL = "http://127.0.0.1:\(port)"
                recognizerName = "the local Whisper worker (models \(local.present.joined(separator: ", ")))"
            } else {
                report.add(
                    .missing,
                    "recognition",
                    "no Whisper worker (workers/whisper and vendor/whisper/base: run scripts/setup) and no --whisper-url: machine booths stay idle"
                )
            }
        }
        defer { worker?.terminate() }
        if let recognizerURL {
            print("Checking \(recognizerName)…")
            let outcome = await Self.transcribeTestSentence(at: recognizerURL, voices: voices, waitingForStart: worker != nil)
            switch outcome {
            case .success(let (text, seconds)):
                recognized = true
                report.add(
                    .ready,
                    "recognition",
                    "\(recognizerName): “\(Self.testSentence)” came back as “\(text)” in \(String(format: "%.1f", seconds)) s"
                )
                report.add(.ready, "speech translation into English", "Whisper's translate task, for English machine booths")
            case .failure(let problem):
                report.add(.failed, "recognition", "\(recognizerName): \(problem)")
            }
        }

        // Text translation.
        if let spec = machine.translator {
            let translator = try MachineOptions.translator(spec)
            let target = tags.first { $0.value != "en" } ?? LanguageTag("ru")!
            do {
                let text = try await translator.translate("Good morning, dear colleagues.", from: LanguageTag("en")!, to: target, glossary: [:])
                report.add(.ready, "text translation", "\(spec): en → \(target.value) “\(text)”")
            } catch {
                report.add(.failed, "text translation", "\(spec): \(error.description)")
            }
        } else {
            report.add(
                .missing,
                "text translation",
                "none given (--translator): only English machine booths interpret; a LibreTranslate or OpenAI-compatible server in the room gives every language"
            )
        }

        print(report.text)
        print("\nWhat a machine booth does in each of the event's languages:")
        for tag in tags {
            let english = tag.value == "en" || tag.value.hasPrefix("en-")
            let translation =
                machine.translator != nil
                ? "translated"
                : english && recognized && (machine.recognizer == nil || machine.whisperURL != nil) ? "translated by Whisper" : "no translation"
            let voice =
                sherpaVoices.contains(tag)
                ? "sherpa-onnx voice" : voices?.voice(for: tag) != nil ? "espeak-ng voice" : "no voice (captions only)"
            let captions = recognized ? "captions" : "no captions"
            print("  \(tag.value): \(captions), \(translation), \(voice)")
        }
        if !report.canRunMachineBooths { throw ExitCode(1) }
    }

    static let testSentence = "Good morning, dear colleagues."

    /// What a voice is made to say, by language (English for the others).
    static let voiceTestSentences = [
        "en": testSentence,
        "ru": "Доброе утро, уважаемые коллеги.",
        "kk": "Қайырлы таң, құрметті әріптестер.",
    ]

    /// Loads a sherpa-onnx voice and has it speak a sentence; says how long the audio is and how fast it came.
    static func trySherpaVoice(folder: String, language: LanguageTag, threads: Int) async -> Result<String, DoctorProblem> {
        do {
            let festival = MachineOptions.festivalVoice(folder)
            let voice: any SpeechSynthesizer =
                try festival.map { try FestivalSynthesizer(voice: $0, language: language) }
                ?? SherpaOnnxSynthesizer(folder: folder, threads: threads)
            let primary = language.value.split(separator: "-").first.map(String.init) ?? language.value
            let sentence = voiceTestSentences[primary] ?? testSentence
            let started = ContinuousClock.now
            let audio = try await voice.synthesize(sentence, language: language)
            let took = ContinuousClock.now - started
            let seconds = Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18
            return .success(
                String(
                    format: "%@: “%@” spoken, %.1f s of audio in %.1f s",
                    festival.map { "Festival, \($0)" } ?? "sherpa-onnx VITS, \(folder)",
                    sentence,
                    audio.duration,
                    seconds
                )
            )
        } catch {
            return .failure(DoctorProblem("\(error)"))
        }
    }

    /// Loads a sherpa-onnx recognizer, speaks the test sentence with espeak-ng and has it transcribed (an English
    /// sentence: a model for other languages loads, and its transcript shows it ran).
    /// Loads the language identifier in `folder` and has it identify the English test sentence.
    static func trySherpaLanguageIdentifier(folder: String, voices: EspeakSynthesizer?, threads: Int) async -> Result<String, DoctorProblem> {
        do {
            let identifier = try SherpaOnnxLanguageIdentifier(folder: folder, threads: threads)
            guard let voices else { return .success("sherpa-onnx language-id-whisper, \(folder): loaded; no espeak-ng to speak a test sentence") }
            let audio = try await voices.synthesize(testSentence, language: LanguageTag("en")!)
            var resampler = try Resampler(from: audio.sampleRate, to: SpeechSegment.sampleRate)
            let segment = SpeechSegment(samples: resampler.process(audio.mixedToMono().samples), startMicros: 0)
            let named = try await identifier.identify(segment, among: []).first.map { $0.0.value } ?? "nothing"
            return .success("sherpa-onnx language-id-whisper, \(folder): “\(testSentence)” (espeak-ng, English) identified as \(named)")
        } catch {
            return .failure(DoctorProblem("\(error)"))
        }
    }

    static func trySherpaRecognizer(folder: String, voices: EspeakSynthesizer?, threads: Int) async -> Result<String, DoctorProblem> {
        do {
            let recognizer = try SherpaOnnxEngines.recognizer(folder: folder, threads: threads)
            let manifest = try SherpaOnnxModelManifest.load(folder: folder)
            let languages = manifest.languages.isEmpty ? "any language" : manifest.languages.map(\.value).joined(separator: ", ")
            guard let voices else {
                return .success("sherpa-onnx \(manifest.kind.rawValue), \(folder) (\(languages)): loaded; no espeak-ng to speak a test sentence")
            }
            let audio = try await voices.synthesize(testSentence, language: LanguageTag("en")!)
            var resampler = try Resampler(from: audio.sampleRate, to: SpeechSegment.sampleRate)
            let segment = SpeechSegment(samples: resampler.process(audio.mixedToMono().samples), startMicros: 0)
            let started = ContinuousClock.now
            let transcript = try await recognizer.transcribe(segment, language: nil, hints: [])
            let took = ContinuousClock.now - started
            let seconds = Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18
            return .success(
                String(
                    format: "sherpa-onnx %@, %@ (%@): “%@” (espeak-ng, English) came back as “%@” in %.1f s",
                    manifest.kind.rawValue,
                    folder,
                    languages,
                    testSentence,
                    transcript.text,
                    seconds
                )
            )
        } catch {
            return .failure(DoctorProblem("\(error)"))
        }
    }

    /// Speaks the test sentence and has the recognizer at `url` transcribe it; waits up to a minute for a worker
    /// that is starting.
    static func transcribeTestSentence(
        at url: String,
        voices: EspeakSynthesizer?,
        waitingForStart: Bool
    ) async -> Result<(String, Double), DoctorProblem> {
        guard let voices else { return .failure(DoctorProblem("no espeak-ng to speak the test sentence")) }
        let segment: SpeechSegment
        do {
            let audio = try await voices.synthesize(testSentence, language: LanguageTag("en")!)
            var resampler = try Resampler(from: audio.sampleRate, to: SpeechSegment.sampleRate)
            segment = SpeechSegment(samples: resampler.process(audio.mixedToMono().samples), startMicros: 0)
        } catch {
            return .failure(DoctorProblem("could not prepare the test sentence: \(error)"))
        }
        let deadline = ContinuousClock.now + .seconds(waitingForStart ? 60 : 0)
        while true {
            // A fresh client each try: its circuit breaker would refuse calls to a worker still loading its models.
            let transcriber = OpenAITranscriber(baseURL: url, options: .init(timeout: .seconds(60), retry: .init(maxAttempts: 1)))
            let started = ContinuousClock.now
            do {
                let transcript = try await transcriber.transcribe(segment, language: LanguageTag("en"), hints: [])
                let took = ContinuousClock.now - started
                return .success((transcript.text.trimmingWhitespace(), Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18))
            } catch {
                guard ContinuousClock.now < deadline, error.code == .unavailable else { return .failure(DoctorProblem(error.description)) }
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
    }
}

struct DoctorProblem: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The lines `doctor` prints, and whether machine booths can run.
struct DoctorReport {
    enum State: String {
        case ready, missing, failed
    }

    private(set) var lines: [(State, String, String)] = []

    mutating func add(_ state: State, _ what: String, _ detail: String) { lines.append((state, what, detail)) }

    var canRunMachineBooths: Bool {
        ["voice activity", "recognition"].allSatisfy { what in lines.contains { $0.1 == what && $0.0 == .ready } }
    }

    var text: String {
        let width = lines.map(\.1.count).max() ?? 0
        let body = lines.map { state, what, detail in
            "  \(state.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(what.padding(toLength: width, withPad: " ", startingAt: 0))  \(detail)"
        }
        let verdict =
            canRunMachineBooths
            ? "Machine booths can run on this machine."
            : "Machine booths cannot run on this machine: see the lines marked missing or failed."
        return (["Machine booth engines:"] + body + ["", verdict]).joined(separator: "\n")
    }
}
