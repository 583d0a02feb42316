import DragomanAudio
import DragomanCore
import DragomanSpeech
import Synchronization
import Testing

/// The machine booth's orchestration, with engines that answer from a script: what is captioned where,
/// in which order, what is spoken, when the floor language flips, and what happens when engines fail or
/// the machine falls behind. (The engines themselves are tested for real in their own suites.)
@Suite struct MachineInterpreterTests {
    static let ru = LanguageTag("ru")!, kk = LanguageTag("kk")!, en = LanguageTag("en")!

    /// A recognizer that hears what the script says for each segment (by start time): `lines` when it identifies
    /// the language itself, `forced` when the language is fixed. It remembers the language of every call.
    struct ScriptedRecognizer: SpeechRecognizer {
        var lines: [UInt64: Transcript]
        var forced: [UInt64: Transcript] = [:]
        var failing = false
        let calls = Calls()
        final class Calls: Sendable {
            let languages = Mutex<[LanguageTag?]>([])
        }
        func transcribe(_ segment: SpeechSegment, language: LanguageTag?, hints: [String]) async throws(SpeechError) -> Transcript {
            calls.languages.withLock { $0.append(language) }
            if failing { throw SpeechError(.unavailable, engine: "scripted", "down") }
            return (language == nil ? lines : forced)[segment.startMicros] ?? Transcript(text: "")
        }
        var languagesAsked: [LanguageTag?] { calls.languages.withLock { $0 } }
    }

    /// A translator that writes the target language before the text; fails into `broken`.
    struct TaggingTranslator: TextTranslator {
        var broken: LanguageTag?
        func translate(
            _ text: String,
            from source: LanguageTag,
            to target: LanguageTag,
            glossary: [String: String]
        ) async throws(SpeechError) -> String {
            if target == broken { throw SpeechError(.badResponse, engine: "tagging", "500") }
            return "[\(target)] \(text)"
        }
    }

    struct SilentVoice: SpeechSynthesizer {
        var languages: Set<LanguageTag> = [ru, en]
        func synthesize(_ text: String, language: LanguageTag) async throws(SpeechError) -> PCMAudio {
            PCMAudio(sampleRate: 16000, channels: 1, samples: [Float](repeating: 0, count: 1600))
        }
    }

    /// Everything the machine said, in order.
    final class Recorder: MachineOutput {
        enum Event: Equatable {
            case caption(String, String)
            case speak(LanguageTag)
            case floor(LanguageTag)
            case status(String?, String)
            case dropped
        }
        let events = Mutex<[Event]>([])
        let lines = Mutex<[ControlMessages.Caption]>([])
        func caption(_ caption: ControlMessages.Caption) async {
            events.withLock { $0.append(.caption(caption.channel, caption.text)) }
            lines.withLock { $0.append(caption) }
        }
        /// The languages of the floor channel's captions, in order.
        var floorLanguages: [String?] { lines.withLock { $0.filter { $0.channel == "floor" }.map(\.language) } }
        func speak(_ audio: PCMAudio, in language: LanguageTag, for segment: SpeechSegment) async {
            events.withLock { $0.append(.speak(language)) }
        }
        func floorLanguageHeard(_ language: LanguageTag) async { events.withLock { $0.append(.floor(language)) } }
        func engineStatus(_ status: MachineStatus, of booth: LanguageTag?) async {
            guard case .failed = status else { return }
            events.withLock { $0.append(.status(booth?.value, status.wireName ?? "")) }
        }
        func dropped(_ segment: SpeechSegment, lateBy micros: UInt64) async { events.withLock { $0.append(.dropped) } }
        var all: [Event] { events.withLock { $0 } }
    }

    func segment(at start: UInt64, seconds: Double = 1.5) -> SpeechSegment {
        SpeechSegment(samples: [Float](repeating: 0.1, count: Int(seconds * 16000)), startMicros: start)
    }

    /// A language identifier that names what the script says, or fails.
    struct ScriptedIdentifier: SpokenLanguageIdentifier {
        var ranked: [(LanguageTag, Double)]
        var failing = false
        func identify(_ segment: SpeechSegment, among candidates: [LanguageTag]) async throws(SpeechError) -> [(LanguageTag, Double)] {
            if failing { throw SpeechError(.failed, engine: "scripted", "named no language") }
            return ranked
        }
    }

    func machine(
        _ recognizer: ScriptedRecognizer,
        identifier: ScriptedIdentifier? = nil,
        translator: TaggingTranslator = .init(),
        output: Recorder,
        now: UInt64 = 0
    )
        -> MachineInterpreter
    {
        MachineInterpreter(
            recognizer: recognizer,
            identifier: identifier,
            translator: translator,
            synthesizer: SilentVoice(),
            output: output,
            configuration: .init(languages: [Self.ru, Self.kk, Self.en], targets: [Self.ru, Self.en]),
            floorLanguage: Self.ru,
            now: { now }
        )
    }

    /// Kazakh speech: the floor gets the transcript, ru and en their translations and voices, and after two seconds
    /// of it the floor language follows by ear.
    @Test func kazakhSpeechIsCaptionedTranslatedSpokenAndFollowed() async {
        let output = Recorder()
        let recognizer = ScriptedRecognizer(lines: [
            0: Transcript(text: "Құрметті Владимир Владимирович!", language: Self.kk, languageProbability: 0.4),
            2_000_000: Transcript(text: "Астанаға қош келдіңіз.", language: LanguageTag("tr"), languageProbability: 0.6),
        ])
        let interpreter = machine(recognizer, output: output)
        await interpreter.process(segment(at: 0))
        await interpreter.process(segment(at: 2_000_000))
        #expect(
            output.all == [
                .caption("floor", "Құрметті Владимир Владимирович!"),
                .caption("ru", "[ru] Құрметті Владимир Владимирович!"), .speak(Self.ru),
                .caption("en", "[en] Құрметті Владимир Владимирович!"), .speak(Self.en),
                .floor(Self.kk),  // 3 s of Kazakh (the letters settle it, whatever the engine guessed)
                .caption("floor", "Астанаға қош келдіңіз."),
                .caption("ru", "[ru] Астанаға қош келдіңіз."), .speak(Self.ru),
                .caption("en", "[en] Астанаға қош келдіңіз."), .speak(Self.en),
            ]
        )
    }

    /// A channel in the segment's own language gets nothing from the machine (the floor is its interpretation).
    @Test func theSpeakersOwnLanguageIsNotTranslated() async {
        let output = Recorder()
        let interpreter = machine(
            ScriptedRecognizer(lines: [0: Transcript(text: "Добрый день", language: Self.ru, languageProbability: 0.97)]),
            output: output
        )
        await interpreter.process(segment(at: 0))
        #expect(output.all == [.caption("floor", "Добрый день"), .caption("en", "[en] Добрый день"), .speak(Self.en)])
    }

    /// Silence and invented text give nothing at all.
    @Test func nothingIsProducedOnSilence() async {
        let output = Recorder()
        let interpreter = machine(
            ScriptedRecognizer(lines: [0: Transcript(text: "Продолжение следует...", language: Self.ru, noSpeechProbability: 0.8)]),
            output: output
        )
        await interpreter.process(segment(at: 0))
        await interpreter.process(segment(at: 5_000_000))  // the recognizer hears nothing there
        #expect(output.all.isEmpty)
    }

    /// A failing recognizer is reported and stops nothing else; a failing translation only its booth.
    @Test func engineFailuresAreReportedWhereTheyHappen() async {
        let output = Recorder()
        await machine(ScriptedRecognizer(lines: [:], failing: true), output: output).process(segment(at: 0))
        #expect(output.all == [.status(nil, "failed")])
        let other = Recorder()
        await machine(
            ScriptedRecognizer(lines: [0: Transcript(text: "Қош келдіңіз", language: Self.kk, languageProbability: 0.9)]),
            translator: TaggingTranslator(broken: Self.ru),
            output: other
        ).process(segment(at: 0))
        #expect(
            other.all == [
                .caption("floor", "Қош келдіңіз"), .status("ru", "failed"), .caption("en", "[en] Қош келдіңіз"), .speak(Self.en),
            ]
        )
    }

    /// A segment whose turn comes more than the allowed lag after it ended is dropped and reported, not spoken late.
    @Test func staleSpeechIsDroppedNotSpokenLate() async {
        let output = Recorder()
        let interpreter = machine(
            ScriptedRecognizer(lines: [0: Transcript(text: "Қош келдіңіз", language: Self.kk, languageProbability: 0.9)]),
            output: output,
            now: 10_000_000
        )
        await interpreter.process(segment(at: 0))
        #expect(output.all == [.dropped])
    }

    /// Without a text translator, an English booth hears the speech itself (Whisper's translate task); with one,
    /// every booth is served from the one transcript, which costs one recognition pass instead of two.
    @Test func anEnglishBoothTranslatesTheSpeechItselfOnlyWithoutATextTranslator() async {
        struct HearsEnglish: SpeechTranslator {
            var targetLanguages: Set<LanguageTag> { [MachineInterpreterTests.en] }
            func translate(_ segment: SpeechSegment, into target: LanguageTag, hints: [String]) async throws(SpeechError) -> Transcript {
                Transcript(text: " Welcome! ", language: target)
            }
        }
        func run(translator: TaggingTranslator?) async -> [Recorder.Event] {
            let output = Recorder()
            let interpreter = MachineInterpreter(
                recognizer: ScriptedRecognizer(lines: [0: Transcript(text: "Қош келдіңіз", language: Self.kk, languageProbability: 0.9)]),
                translator: translator,
                speechTranslator: HearsEnglish(),
                synthesizer: SilentVoice(),
                output: output,
                configuration: .init(languages: [Self.ru, Self.kk, Self.en], targets: [Self.ru, Self.en]),
                floorLanguage: Self.ru,
                now: { 0 }
            )
            await interpreter.process(segment(at: 0))
            return output.all
        }
        #expect(await run(translator: nil) == [.caption("floor", "Қош келдіңіз"), .caption("en", "Welcome!"), .speak(Self.en)])
        #expect(
            await run(translator: TaggingTranslator()) == [
                .caption("floor", "Қош келдіңіз"), .caption("ru", "[ru] Қош келдіңіз"), .speak(Self.ru),
                .caption("en", "[en] Қош келдіңіз"), .speak(Self.en),
            ]
        )
    }

    /// Whisper hears the summit's synthetic Kazakh as English (0.55 among kk/ru/en) and writes Latin garbage; forced
    /// to Kazakh it writes Kazakh letters. The unsure segment gets that one more hearing, and Kazakh wins with its text:
    /// captioned as Kazakh, translated from Kazakh, and the floor follows.
    @Test func unsureIdentificationHearsKazakhOnceMoreAndItsLettersWin() async {
        let output = Recorder()
        let unsure = ["en": 0.55, "ru": 0.33, "kk": 0.12]
        let recognizer = ScriptedRecognizer(
            lines: [
                0: Transcript(text: "Kurmet the Vladimir", language: Self.en, languageProbabilities: unsure),
                2_000_000: Transcript(text: "Astana is cash", language: Self.en, languageProbabilities: unsure),
            ],
            forced: [
                0: Transcript(text: "Құрметті Владимир Владимирович!", language: Self.kk),
                2_000_000: Transcript(text: "Астанаға қош келдіңіз.", language: Self.kk),
            ]
        )
        let interpreter = machine(recognizer, output: output)
        // Told by the letters only, each 3 s segment counts 1.2 s towards the switch: the second one makes it.
        await interpreter.process(segment(at: 0, seconds: 3))
        await interpreter.process(segment(at: 2_000_000, seconds: 3))
        #expect(recognizer.languagesAsked == [nil, Self.kk, nil, Self.kk])
        #expect(output.floorLanguages == ["kk", "kk"])
        #expect(
            output.all == [
                .caption("floor", "Құрметті Владимир Владимирович!"),
                .caption("ru", "[ru] Құрметті Владимир Владимирович!"), .speak(Self.ru),
                .caption("en", "[en] Құрметті Владимир Владимирович!"), .speak(Self.en),
                .floor(Self.kk),
                .caption("floor", "Астанаға қош келдіңіз."),
                .caption("ru", "[ru] Астанаға қош келдіңіз."), .speak(Self.ru),
                .caption("en", "[en] Астанаға қош келдіңіз."), .speak(Self.en),
            ]
        )
    }

    /// A piece of Russian Whisper cannot make out (heard as German, 0.53 Russian among the event's languages, as in a
    /// ten-minute run), forced to Kazakh, comes back with Kazakh letters: its line is taken as Kazakh, but 2.3 s of it
    /// told only by the letters do not switch the floor; the Russian that follows does.
    @Test func aShortPieceToldOnlyByTheLettersDoesNotSwitchTheFloorAlone() async {
        let output = Recorder()
        let recognizer = ScriptedRecognizer(
            lines: [
                0: Transcript(text: "mit dem im Strasse", language: LanguageTag("de"), languageProbabilities: ["ru": 0.53, "en": 0.37, "kk": 0.1]),
                3_000_000: Transcript(text: "Мы обсудим бюджет", language: Self.ru, languageProbabilities: ["ru": 0.96, "en": 0.02, "kk": 0.02]),
            ],
            forced: [0: Transcript(text: "мұғым ұра сега мақстан.", language: Self.kk)]
        )
        let interpreter = MachineInterpreter(
            recognizer: recognizer,
            translator: TaggingTranslator(),
            synthesizer: nil,
            output: output,
            configuration: .init(languages: [Self.ru, Self.kk, Self.en], targets: [Self.ru, Self.en]),
            floorLanguage: Self.en,
            now: { 0 }
        )
        await interpreter.process(segment(at: 0, seconds: 2.3))
        #expect(output.floorLanguages == ["kk"])
        #expect(!output.all.contains(.floor(Self.kk)))
        await interpreter.process(segment(at: 3_000_000, seconds: 3))
        #expect(output.all.filter { if case .floor = $0 { true } else { false } } == [.floor(Self.ru)])
    }

    /// Russian identified at 0.95 among the event's languages is sure: no second pass, whatever its text looks like.
    @Test func sureIdentificationCostsNoSecondPass() async {
        let output = Recorder()
        let recognizer = ScriptedRecognizer(
            lines: [0: Transcript(text: "Мы говорим", language: Self.ru, languageProbabilities: ["ru": 0.95, "kk": 0.03, "en": 0.02])],
            forced: [0: Transcript(text: "Біз айтамыз", language: Self.kk)]
        )
        await machine(recognizer, output: output).process(segment(at: 0))
        #expect(recognizer.languagesAsked == [nil])
        #expect(output.all == [.caption("floor", "Мы говорим"), .caption("en", "[en] Мы говорим"), .speak(Self.en)])
    }

    /// A second hearing that writes no Kazakh letters (or nothing) changes nothing, and is not tried again.
    @Test func aSecondPassWithoutTheLettersLeavesTheFirstHearing() async {
        let output = Recorder()
        let recognizer = ScriptedRecognizer(
            lines: [0: Transcript(text: "Мы уверены", language: Self.ru, languageProbabilities: ["ru": 0.55, "en": 0.35, "kk": 0.1])],
            forced: [0: Transcript(text: "Мы уверены", language: Self.kk)]
        )
        await machine(recognizer, output: output).process(segment(at: 0))
        #expect(recognizer.languagesAsked == [nil, Self.kk])
        #expect(output.floorLanguages == ["ru"])
        #expect(output.all == [.caption("floor", "Мы уверены"), .caption("en", "[en] Мы уверены"), .speak(Self.en)])
    }

    /// Text that already carries Kazakh letters is settled: no second pass even when the engine was unsure.
    @Test func kazakhLettersInTheFirstHearingNeedNoSecondPass() async {
        let output = Recorder()
        let recognizer = ScriptedRecognizer(
            lines: [0: Transcript(text: "Қош келдіңіз", language: Self.en, languageProbabilities: ["en": 0.5, "ru": 0.4, "kk": 0.1])]
        )
        await machine(recognizer, output: output).process(segment(at: 0))
        #expect(recognizer.languagesAsked == [nil])
        #expect(output.floorLanguages == ["kk"])
    }

    /// The engine's own pick outside the event ("uk") does not count: identification is among the event's
    /// languages, where Russian is sure (0.38 of 0.40).
    @Test func identificationIsAmongTheEventsLanguages() async {
        let output = Recorder()
        let recognizer = ScriptedRecognizer(
            lines: [
                0: Transcript(
                    text: "Мы говорим",
                    language: LanguageTag("uk"),
                    languageProbability: 0.6,
                    languageProbabilities: ["uk": 0.6, "ru": 0.38, "en": 0.015, "kk": 0.005]
                )
            ]
        )
        await machine(recognizer, output: output).process(segment(at: 0))
        #expect(recognizer.languagesAsked == [nil])
        #expect(output.floorLanguages == ["ru"])
        #expect(output.all == [.caption("floor", "Мы говорим"), .caption("en", "[en] Мы говорим"), .speak(Self.en)])
    }

    /// Forced to Kazakh, Whisper may write Kazakh letters into Russian it cannot make out; when it gave Kazakh
    /// little among the event's languages (0.06 here, as on the summit's ru-03), there is no second hearing to be
    /// misled by.
    @Test func kazakhTheEngineDidNotWeighGetsNoSecondHearing() async {
        let output = Recorder()
        let recognizer = ScriptedRecognizer(
            lines: [0: Transcript(text: "Мы уверены", language: Self.ru, languageProbabilities: ["ru": 0.6, "en": 0.34, "kk": 0.06])],
            forced: [0: Transcript(text: "тұа сега мақтан", language: Self.kk)]
        )
        await machine(recognizer, output: output).process(segment(at: 0))
        #expect(recognizer.languagesAsked == [nil])
        #expect(output.floorLanguages == ["ru"])
    }

    /// Speech Whisper leans to hear as Russian (0.77 among the event's languages, as the summit's synthetic ru-01 with a
    /// little silence around it) gets no second hearing in Kazakh, which shares its script: forced, Whisper would write
    /// Kazakh letters into it. Leaning to English (another script) leaves the second hearing as it was.
    @Test func kazakhGetsNoSecondHearingWhereRussianLeads() async {
        let output = Recorder()
        let leansRussian = ScriptedRecognizer(
            lines: [0: Transcript(text: "Мы уверены", language: LanguageTag("mn"), languageProbabilities: ["ru": 0.77, "kk": 0.18, "en": 0.05])],
            forced: [0: Transcript(text: "өмің өмің өс", language: Self.kk)]
        )
        await machine(leansRussian, output: output).process(segment(at: 0))
        #expect(leansRussian.languagesAsked == [nil])
        #expect(output.floorLanguages == ["ru"])
        let leansEnglish = ScriptedRecognizer(
            lines: [0: Transcript(text: "Kurmet the", language: Self.en, languageProbabilities: ["en": 0.7, "kk": 0.2, "ru": 0.1])],
            forced: [0: Transcript(text: "Құрметті", language: Self.kk)]
        )
        await machine(leansEnglish, output: Recorder()).process(segment(at: 0))
        #expect(leansEnglish.languagesAsked == [nil, Self.kk])
    }

    /// A recognizer of one language cannot tell languages apart: a language identifier that is sure names the
    /// language, the recognizer hears the speech in it, and the floor follows what the identifier heard.
    @Test func aSureIdentifierNamesTheLanguageTheRecognizerHearsIn() async {
        let output = Recorder()
        let recognizer = ScriptedRecognizer(
            lines: [0: Transcript(text: "Делегация ищет", language: Self.ru, languageProbabilities: ["ru": 0.95])],
            forced: [0: Transcript(text: "The delegation is looking for headphones.")]
        )
        let identifier = ScriptedIdentifier(ranked: [(Self.en, 0.97), (Self.ru, 0.02), (Self.kk, 0.01)])
        let interpreter = machine(recognizer, identifier: identifier, output: output)
        await interpreter.process(segment(at: 0, seconds: 3))
        #expect(recognizer.languagesAsked == [Self.en])
        #expect(
            output.all == [
                .floor(Self.en),
                .caption("floor", "The delegation is looking for headphones."),
                .caption("ru", "[ru] The delegation is looking for headphones."), .speak(Self.ru),
            ]
        )
    }

    /// Letters that settle one of the event's languages outweigh the identifier, as they outweigh the recognizer.
    @Test func kazakhLettersOutweighTheIdentifier() async {
        let output = Recorder()
        let recognizer = ScriptedRecognizer(lines: [:], forced: [0: Transcript(text: "Құрметті Владимир Владимирович!")])
        let identifier = ScriptedIdentifier(ranked: [(Self.ru, 0.99), (Self.kk, 0.01)])
        await machine(recognizer, identifier: identifier, output: output).process(segment(at: 0))
        #expect(recognizer.languagesAsked == [Self.ru])
        #expect(output.floorLanguages == ["kk"])
    }

    /// An identifier that is unsure, or fails, leaves identification to the recognizer, as if there were none.
    @Test func anUnsureOrFailingIdentifierLeavesIdentificationToTheRecognizer() async {
        for identifier in [
            ScriptedIdentifier(ranked: [(Self.ru, 0.5), (Self.kk, 0.3), (Self.en, 0.2)]),
            ScriptedIdentifier(ranked: [], failing: true),
        ] {
            let output = Recorder()
            let recognizer = ScriptedRecognizer(
                lines: [0: Transcript(text: "Мы говорим", language: Self.ru, languageProbabilities: ["ru": 0.95, "kk": 0.03, "en": 0.02])]
            )
            await machine(recognizer, identifier: identifier, output: output).process(segment(at: 0))
            #expect(recognizer.languagesAsked == [nil])
            #expect(output.floorLanguages == ["ru"])
        }
    }
}
