import AsyncHTTPClient
import DragomanAudio
import DragomanCore
import DragomanSpeech
import Foundation
import NIOHTTP1
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Real recognition through the real worker (workers/whisper, faster-whisper, Whisper base on CPU):
/// Russian spoken by Festival's Russian voice and English by espeak-ng, each sentence a segment, through
/// `OpenAITranscriber`. Needs `scripts/setup` (faster-whisper, the models, festival, festvox-ru, espeak-ng).
@Suite(.serialized) struct WhisperWorkerTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Sentence {
        var language: LanguageTag
        var voice: String
        var text: String
        var english: String
    }

    /// The share of `reference`'s words that `text` has, each counted as often as it occurs there; case and
    /// punctuation aside.
    static func share(ofWordsIn reference: String, foundIn text: String) -> Double {
        func words(_ text: String) -> [String] { text.lowercased().split { !$0.isLetter && !$0.isNumber }.map(String.init) }
        var available = Dictionary(words(text).map { ($0, 1) }, uniquingKeysWith: +)
        let wanted = words(reference)
        var found = 0
        for word in wanted where available[word, default: 0] > 0 {
            available[word, default: 0] -= 1
            found += 1
        }
        return wanted.isEmpty ? 1 : Double(found) / Double(wanted.count)
    }

    static func sentences() throws -> [Sentence] {
        let table = try String(contentsOf: repo.appendingPathComponent("testdata/speech/whisper-sentences.tsv"), encoding: .utf8)
        return table.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            let fields = line.split(separator: "\t").map(String.init)
            return Sentence(language: LanguageTag(fields[0])!, voice: fields[1], text: fields[2], english: fields[3])
        }
    }

    /// Runs a command and waits for it; throws with its output when it fails.
    static func run(_ arguments: [String], in folder: URL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.currentDirectoryURL = folder
        let log = folder.appendingPathComponent("command.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        guard process.terminationStatus == 0 else {
            let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw WorkerTestError("\(arguments.joined(separator: " ")) failed (\(process.terminationStatus)); run scripts/setup: \(output)")
        }
    }

    /// The sentence as a 16 kHz mono segment, spoken by its voice.
    static func speak(_ sentence: Sentence, in folder: URL) throws -> SpeechSegment {
        let wav = folder.appendingPathComponent("speech.wav")
        let (engine, voice) = sentence.voice.split(separator: ":").map(String.init).pairs
        switch engine {
        case "festival":
            // Festival reads UTF-8 from a file; its Russian voice speaks 16 kHz.
            let text = folder.appendingPathComponent("text.txt")
            try sentence.text.write(to: text, atomically: true, encoding: .utf8)
            try run(["text2wave", "-eval", "(\(voice))", text.path, "-o", wav.path], in: folder)
        default:
            try run(["espeak-ng", "-v", voice, "-w", wav.path, sentence.text], in: folder)
        }
        let audio = try WAVFile.read(contentsOf: wav).mixedToMono()
        var samples = audio.samples
        if audio.sampleRate != SpeechSegment.sampleRate {
            var resampler = try Resampler(from: audio.sampleRate, to: SpeechSegment.sampleRate)
            samples = resampler.process(samples) + resampler.process([Float](repeating: 0, count: audio.sampleRate / 10))
        }
        return SpeechSegment(samples: samples, startMicros: 0)
    }

    @Test func recognisesRussianAndEnglishAndTellsWhichIsWhich() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("whisper-test-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let worker = try await WhisperWorkerProcess.start(models: ["base"], in: folder)
        defer { worker.stop() }

        let transcriber = OpenAITranscriber(baseURL: worker.baseURL, model: "base", options: HTTPEngineOptions(timeout: .seconds(120)))
        let candidates = [LanguageTag("kk")!, LanguageTag("ru")!, LanguageTag("en")!]
        var report: [String] = []
        var totals: [LanguageTag: (edits: Int, words: Int)] = [:]
        for sentence in try Self.sentences() {
            let segment = try Self.speak(sentence, in: folder)
            let transcript = try await transcriber.transcribe(segment, language: nil, hints: [])
            let wer = WordErrorRate.of(transcript.text, reference: sentence.text)
            report.append(String(format: "%@ WER %.2f: %@", sentence.language.value, wer, transcript.text))
            let (edits, words) = WordErrorRate.errors(transcript.text, reference: sentence.text)
            totals[sentence.language, default: (0, 0)].edits += edits
            totals[sentence.language, default: (0, 0)].words += words
            // Festival's voice blurs a word now and then ("иностранных" → "и на странных"): each sentence
            // must be mostly right, and each language's sentences together below 0.35.
            #expect(wer < 0.7, "'\(transcript.text)' for '\(sentence.text)'")
            #expect(transcript.language == sentence.language, "\(transcript)")
            #expect((transcript.noSpeechProbability ?? 1) < 0.5)

            let ranked = try await transcriber.identify(segment, among: candidates)
            #expect(ranked.first?.0 == sentence.language, "\(ranked)")

            if sentence.language.value == "ru" {
                let english = try await transcriber.translate(segment, into: LanguageTag("en")!, hints: [])
                report.append("ru→en: \(english.text)")
                #expect(english.language == LanguageTag("en"))
                // Speech translation is free in its wording, and Whisper base may repeat a phrase (it does on AMD
                // EPYC's arithmetic: "… the Ministry of Foreign Affairs and the Ministry of Foreign Affairs."): at least
                // half of the reference's words must be there.
                #expect(Self.share(ofWordsIn: sentence.english, foundIn: english.text) >= 0.5, "'\(english.text)' for '\(sentence.english)'")
            }
        }
        print(report.joined(separator: "\n"))
        #expect(Set(totals.keys) == [LanguageTag("ru")!, LanguageTag("en")!])
        for (language, total) in totals {
            let wer = Double(total.edits) / Double(total.words)
            print(String(format: "%@: WER %.3f over %d words", language.value, wer, total.words))
            #expect(wer < 0.35, "\(language): \(total.edits) word errors in \(total.words) words")
        }

        // One second of silence: no text, and Whisper's no-speech probability says why.
        let silence = try await transcriber.transcribe(
            SpeechSegment(samples: [Float](repeating: 0, count: 16_000), startMicros: 0),
            language: nil,
            hints: []
        )
        #expect(silence.text.isEmpty)
        #expect(silence.noSpeechProbability == 1)
    }
}

/// The worker as a child process on a free port.
struct WhisperWorkerProcess {
    let process: Process
    let port: Int
    var baseURL: String { "http://127.0.0.1:\(port)" }

    static func start(models: [String], in folder: URL) async throws -> WhisperWorkerProcess {
        let script = WhisperWorkerTests.repo.appendingPathComponent("workers/whisper/worker.py")
        let portFile = folder.appendingPathComponent("port")
        let log = folder.appendingPathComponent("worker.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, "--port", "0", "--port-file", portFile.path] + models.flatMap { ["--model", $0] }
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let deadline = ContinuousClock.now + .seconds(300)
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let port = Int(text) {
                let worker = WhisperWorkerProcess(process: process, port: port)
                var request = HTTPClientRequest(url: worker.baseURL + "/health")
                request.method = .GET
                if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(5)), response.status == .ok {
                    return worker
                }
            }
            guard process.isRunning else {
                let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                throw WorkerTestError("the Whisper worker exited (\(process.terminationStatus)); run scripts/setup. Its log: \(output)")
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        process.terminate()
        throw WorkerTestError("the Whisper worker did not answer /health within 300 s")
    }

    func stop() {
        process.terminate()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

struct WorkerTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension Array where Element == String {
    /// The first two elements (the second empty when missing).
    fileprivate var pairs: (String, String) { (self.first ?? "", count > 1 ? self[1] : "") }
}
