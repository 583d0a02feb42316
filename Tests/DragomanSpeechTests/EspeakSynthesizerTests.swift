import DragomanAudio
import DragomanCore
import DragomanSpeech
import Foundation
import Testing

/// espeak-ng in process: the languages of the summit, errors, and calls from many tasks at once.
@Suite struct EspeakSynthesizerTests {
    static let sentences: [(String, String)] = [
        ("kk", "Құрметті әріптестер, бүгін біз ынтымақтастық туралы сөйлесеміз."),
        ("ru", "Уважаемые коллеги, сегодня мы обсудим сотрудничество."),
        ("en", "Dear colleagues, today we will discuss cooperation."),
    ]

    @Test(arguments: sentences)
    func speaksTheLanguagesOfTheSummit(language: String, text: String) async throws {
        let synthesizer = try EspeakSynthesizer()
        let tag = try #require(LanguageTag(language))
        #expect(synthesizer.languages.contains(tag))
        let audio = try await synthesizer.synthesize(text, language: tag)
        #expect(audio.sampleRate == 22_050)
        #expect(audio.channels == 1)
        // About 150–200 words a minute: 7 words take 2–4 s; allow a wide range, but not silence or a cut.
        let words = Double(text.split(separator: " ").count)
        #expect(audio.duration > words * 60 / 400, "\(language): \(audio.duration) s for \(words) words")
        #expect(audio.duration < words * 60 / 60, "\(language): \(audio.duration) s for \(words) words")
        #expect(AudioAnalysis.rms(audio.samples) > 0.02, "\(language): nearly silent")
        #expect(AudioAnalysis.peak(audio.samples) <= 1)
    }

    @Test func theFinalPauseIsKept() async throws {
        // espeakENDPAUSE: the audio ends in espeak's sentence pause, not on the last phoneme.
        let audio = try await EspeakSynthesizer().synthesize("Thank you.", language: LanguageTag("en")!)
        let tail = audio.samples.suffix(audio.sampleRate / 20)
        #expect(AudioAnalysis.peak(Array(tail)) < 0.01)
    }

    @Test func anyVoiceEspeakHasCanBeNamed() throws {
        let audio = try EspeakSynthesizer().synthesize("Guten Tag.", voice: "de")
        #expect(AudioAnalysis.rms(audio.samples) > 0.02)
    }

    @Test func anUnknownLanguageIsUnsupported() async throws {
        let synthesizer = try EspeakSynthesizer()
        let unknown = try #require(LanguageTag("qaa"))
        #expect(!synthesizer.languages.contains(unknown))
        await #expect {
            _ = try await synthesizer.synthesize("Hello.", language: unknown)
        } throws: { error in
            (error as? SpeechError)?.code == .unsupported && (error as? SpeechError)?.message.contains("qaa") == true
        }
        #expect {
            _ = try synthesizer.synthesize("Hello.", voice: "no-such-voice")
        } throws: { error in
            (error as? SpeechError)?.code == .unsupported && (error as? SpeechError)?.message.contains("no-such-voice") == true
        }
    }

    @Test func aDataFolderWithoutEspeakDataIsAnErrorNamingIt() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("no-espeak-data-\(UUID().uuidString)").path
        #expect {
            _ = try EspeakSynthesizer(dataPath: folder)
        } throws: { error in
            guard let error = error as? SpeechError else { return false }
            return error.code == .modelMissing && error.message.contains(folder) && error.engine == "espeak-ng"
        }
    }

    @Test func emptyTextIsUnsupported() async throws {
        await #expect(throws: SpeechError.self) {
            _ = try await EspeakSynthesizer().synthesize("  ", language: LanguageTag("en")!)
        }
    }

    @Test func callsFromManyTasksAtOnceGiveTheSameAudioAsOneAtATime() async throws {
        // Two synthesizers at different rates share espeak's one engine: each call must set its own voice and rate.
        let synthesizers = [try EspeakSynthesizer(wordsPerMinute: 175), try EspeakSynthesizer(wordsPerMinute: 120)]
        var expected: [String: PCMAudio] = [:]
        for (index, synthesizer) in synthesizers.enumerated() {
            for (language, text) in Self.sentences {
                expected["\(index) \(language)"] = try await synthesizer.synthesize(text, language: LanguageTag(language)!)
            }
        }
        #expect(expected["0 en"]!.duration < expected["1 en"]!.duration)
        let results = try await withThrowingTaskGroup(of: (String, PCMAudio).self) { group in
            for round in 0..<4 {
                let index = round % 2
                for (language, text) in Self.sentences {
                    group.addTask {
                        ("\(index) \(language)", try await synthesizers[index].synthesize(text, language: LanguageTag(language)!))
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 12)
        // espeak's samples for the same text and voice were seen to differ between calls, so compare what a mix-up
        // of voices, rates or buffers would change: the length and the level.
        for (key, audio) in results {
            let reference = try #require(expected[key])
            #expect(abs(audio.duration - reference.duration) < 0.1 * reference.duration, "\(key): \(audio.duration) s, alone \(reference.duration) s")
            #expect(AudioAnalysis.rms(audio.samples) > 0.5 * AudioAnalysis.rms(reference.samples), "\(key)")
        }
    }
}
