import DragomanCore
import DragomanSpeech
import Synchronization
import Testing

/// Partial captions: the speech still open, heard while the speaker goes on, shown as a line that its final
/// version replaces under the same id, or withdraws when the speech yields nothing in the end.
@Suite struct MachinePartialCaptionTests {
    typealias Scripted = MachineInterpreterTests.ScriptedRecognizer
    static let ru = MachineInterpreterTests.ru, en = MachineInterpreterTests.en

    let tests = MachineInterpreterTests()

    /// What the listeners of each channel saw, as (channel, id, text, final).
    func shown(_ output: MachineInterpreterTests.Recorder) -> [Line] {
        output.lines.withLock { $0.map { Line($0.channel, $0.id, $0.text, $0.final) } }
    }

    struct Line: Equatable, CustomStringConvertible {
        let channel: String, id: String, text: String, final: Bool
        init(_ channel: String, _ id: String, _ text: String, _ final: Bool) {
            (self.channel, self.id, self.text, self.final) = (channel, id, text, final)
        }
        var description: String { "\(channel) \(id) \(final ? "final" : "partial") \(text.debugDescription)" }
    }

    @Test func aPartialLineIsReplacedByItsFinalUnderTheSameID() async {
        let output = MachineInterpreterTests.Recorder()
        let recognizer = Scripted(
            lines: [0: Transcript(text: "Добрый день, коллеги", language: Self.ru, languageProbability: 0.97)],
            forced: [0: Transcript(text: "Добрый день")]
        )
        let interpreter = tests.machine(recognizer, output: output)
        await interpreter.partial(tests.segment(at: 0, seconds: 1))
        await interpreter.process(tests.segment(at: 0, seconds: 2))
        #expect(
            shown(output) == [
                Line("floor", "m1", "Добрый день", false), Line("en", "m1", "[en] Добрый день", false),
                Line("floor", "m1", "Добрый день, коллеги", true), Line("en", "m1", "[en] Добрый день, коллеги", true),
            ]
        )
        // The partial is heard in the floor's language as followed (ru here), and never spoken.
        #expect(recognizer.languagesAsked.first == Self.ru)
        #expect(output.all.filter { if case .speak = $0 { true } else { false } } == [.speak(Self.en)])
    }

    @Test func aPartialWhoseSpeechYieldsNothingIsWithdrawn() async {
        let output = MachineInterpreterTests.Recorder()
        let interpreter = tests.machine(Scripted(lines: [:], forced: [0: Transcript(text: "Добрый")]), output: output)
        await interpreter.partial(tests.segment(at: 0, seconds: 1))
        await interpreter.process(tests.segment(at: 0, seconds: 2))  // the whole segment is heard as nothing
        #expect(
            shown(output) == [
                Line("floor", "m1", "Добрый", false), Line("en", "m1", "[en] Добрый", false),
                Line("floor", "m1", "", true), Line("en", "m1", "", true),
            ]
        )
    }

    @Test func aChannelTheFinalLineDoesNotReachHasItsPartialWithdrawn() async {
        let output = MachineInterpreterTests.Recorder()
        // Heard as Russian while open (the floor's language), the whole segment turns out English: the English
        // channel gets no line of it (the floor is its interpretation), so its partial is withdrawn.
        let recognizer = Scripted(
            lines: [0: Transcript(text: "Good afternoon", language: Self.en, languageProbability: 0.98)],
            forced: [0: Transcript(text: "Гуд афтернун")]
        )
        let interpreter = tests.machine(recognizer, output: output)
        await interpreter.partial(tests.segment(at: 0, seconds: 1))
        await interpreter.process(tests.segment(at: 0, seconds: 2))
        #expect(
            shown(output) == [
                Line("floor", "m1", "Гуд афтернун", false), Line("en", "m1", "[en] Гуд афтернун", false),
                Line("floor", "m1", "Good afternoon", true), Line("ru", "m1", "[ru] Good afternoon", true), Line("en", "m1", "", true),
            ]
        )
    }

    @Test func staleSpeechWithdrawsItsPartialLine() async {
        let output = MachineInterpreterTests.Recorder()
        let interpreter = tests.machine(
            Scripted(lines: [0: Transcript(text: "Добрый день", language: Self.ru)], forced: [0: Transcript(text: "Добрый")]),
            output: output,
            now: 10_000_000
        )
        await interpreter.partial(tests.segment(at: 0, seconds: 1))
        await interpreter.process(tests.segment(at: 0, seconds: 2))
        #expect(output.all.contains(.dropped))
        #expect(shown(output).suffix(2) == [Line("floor", "m1", "", true), Line("en", "m1", "", true)])
    }

    @Test func eachLineHasItsOwnIDInOrder() async {
        let output = MachineInterpreterTests.Recorder()
        let interpreter = tests.machine(
            Scripted(
                lines: [
                    0: Transcript(text: "Добрый день", language: Self.ru, languageProbability: 0.97),
                    3_000_000: Transcript(text: "Начнём", language: Self.ru, languageProbability: 0.97),
                ],
                forced: [0: Transcript(text: "Добрый"), 3_000_000: Transcript(text: "Нач"), 9_000_000: Transcript(text: "Итак")]
            ),
            output: output
        )
        await interpreter.partial(tests.segment(at: 0, seconds: 1))
        await interpreter.partial(tests.segment(at: 0, seconds: 2))  // the same line, longer
        await interpreter.process(tests.segment(at: 0, seconds: 2))
        await interpreter.partial(tests.segment(at: 3_000_000, seconds: 1))
        await interpreter.process(tests.segment(at: 3_000_000, seconds: 1))
        // Speech whose segment never came (the detector let it go): withdrawn when the next line opens.
        await interpreter.partial(tests.segment(at: 9_000_000, seconds: 1))
        await interpreter.process(tests.segment(at: 12_000_000, seconds: 1))
        let floor = shown(output).filter { $0.channel == "floor" }
        #expect(
            floor == [
                Line("floor", "m1", "Добрый", false), Line("floor", "m1", "Добрый", false), Line("floor", "m1", "Добрый день", true),
                Line("floor", "m2", "Нач", false), Line("floor", "m2", "Начнём", true),
                Line("floor", "m3", "Итак", false), Line("floor", "m3", "", true),
            ]
        )
    }
}

extension MachinePartialCaptionTests {
    /// A clock that moves on by a second each time it is read: every hearing takes at least a second.
    final class SlowClock: Sendable {
        let reads = Mutex<UInt64>(0)
        func now() -> UInt64 {
            reads.withLock {
                $0 += 1_000_000
                return $0
            }
        }
    }

    @Test func aRecognizerTooSlowForPartialLinesHearsFinalLinesOnly() async {
        let output = MachineInterpreterTests.Recorder()
        let recognizer = Scripted(
            lines: [0: Transcript(text: "Добрый день", language: Self.ru, languageProbability: 0.97)],
            forced: [3_000_000: Transcript(text: "Нач")]
        )
        let clock = SlowClock()
        let interpreter = MachineInterpreter(
            recognizer: recognizer,
            translator: MachineInterpreterTests.TaggingTranslator(),
            synthesizer: nil,
            output: output,
            configuration: .init(languages: [Self.ru, Self.en], targets: [Self.en], maximumLag: .max / 2, partialHearingLimit: 600_000),
            floorLanguage: Self.ru,
            now: { clock.now() }
        )
        #expect(await interpreter.partialsAffordable, "before any hearing, the first partial finds out")
        await interpreter.process(tests.segment(at: 0, seconds: 2))
        #expect(await !interpreter.partialsAffordable)
        await interpreter.partial(tests.segment(at: 3_000_000, seconds: 1))
        #expect(recognizer.languagesAsked.count == 1, "the partial was heard: \(recognizer.languagesAsked)")
        #expect(shown(output).allSatisfy { $0.final })
    }
}

extension MachinePartialCaptionTests {
    /// A recognizer that has just failed is not asked for partial lines: the final lines report the fault, and a
    /// failing engine is not asked more often than they need.
    @Test func aFailingRecognizerIsNotAskedForPartialLines() async {
        let output = MachineInterpreterTests.Recorder()
        let recognizer = Scripted(lines: [:], failing: true)
        let interpreter = tests.machine(recognizer, output: output)
        await interpreter.process(tests.segment(at: 0, seconds: 2))
        #expect(await !interpreter.partialsAffordable)
        await interpreter.partial(tests.segment(at: 3_000_000, seconds: 1))
        #expect(recognizer.languagesAsked.count == 1)
        #expect(output.all == [.status(nil, "failed")])
    }

    /// Nor is a translator that has just failed a booth asked to translate partial lines for it.
    @Test func aFailingTranslationGetsNoPartialLines() async {
        let output = MachineInterpreterTests.Recorder()
        let recognizer = Scripted(
            lines: [0: Transcript(text: "Добрый день", language: Self.ru, languageProbability: 0.97)],
            forced: [3_000_000: Transcript(text: "Начнём")]
        )
        let interpreter = tests.machine(recognizer, translator: .init(broken: Self.en), output: output)
        await interpreter.process(tests.segment(at: 0, seconds: 2))
        await interpreter.partial(tests.segment(at: 3_000_000, seconds: 1))
        #expect(shown(output) == [Line("floor", "m1", "Добрый день", true), Line("floor", "m2", "Начнём", false)])
    }
}

/// When open speech is heard for a partial line.
@Suite struct PartialCaptionScheduleTests {
    func open(from start: UInt64, seconds: Double) -> SpeechSegment {
        SpeechSegment(samples: [Float](repeating: 0, count: Int(seconds * 16000)), startMicros: start, isComplete: false)
    }

    /// Asks the schedule (the macro cannot take a mutating call).
    func heard(_ schedule: inout PartialCaptionSchedule, _ open: SpeechSegment, idle: Bool) -> Bool {
        schedule.due(open, idle: idle)
    }

    @Test func openSpeechIsHeardOnceItHasLastedThenEachTimeItHasGrown() {
        var schedule = PartialCaptionSchedule(firstAfter: 1_000_000, every: 1_000_000)
        #expect(!heard(&schedule, open(from: 0, seconds: 0.9), idle: true))
        #expect(heard(&schedule, open(from: 0, seconds: 1.0), idle: true))
        #expect(!heard(&schedule, open(from: 0, seconds: 1.5), idle: true))
        #expect(heard(&schedule, open(from: 0, seconds: 2.0), idle: true))
        // New speech starts its own count.
        #expect(!heard(&schedule, open(from: 5_000_000, seconds: 0.5), idle: true))
        #expect(heard(&schedule, open(from: 5_000_000, seconds: 1.2), idle: true))
    }

    @Test func aBusyMachineHearsNoPartial() {
        var schedule = PartialCaptionSchedule()
        #expect(!heard(&schedule, open(from: 0, seconds: 3), idle: false))
        #expect(heard(&schedule, open(from: 0, seconds: 3), idle: true))
    }
}
