import DragomanAudio
import DragomanCore
import DragomanSpeech
import Synchronization
import Testing

/// The event's glossary reaches the engines: every term as a recognition hint, and the pairs of the two languages
/// concerned as translation constraints.
@Suite struct MachineGlossaryTests {
    static let ru = LanguageTag("ru")!, kk = LanguageTag("kk")!, en = LanguageTag("en")!

    final class Engines: SpeechRecognizer, TextTranslator, MachineOutput {
        let hints = Mutex<[String]>([])
        let constraints = Mutex<[LanguageTag: [String: String]]>([:])

        func transcribe(_ segment: SpeechSegment, language: LanguageTag?, hints: [String]) async throws(SpeechError) -> Transcript {
            self.hints.withLock { $0 = hints }
            return Transcript(text: "Экспорт пшеницы растёт.", language: MachineGlossaryTests.ru, languageProbability: 0.99)
        }
        func translate(
            _ text: String,
            from source: LanguageTag,
            to target: LanguageTag,
            glossary: [String: String]
        ) async throws(SpeechError)
            -> String
        {
            constraints.withLock { $0[target] = glossary }
            return text
        }
        func caption(_ caption: ControlMessages.Caption) async {}
        func speak(_ audio: PCMAudio, in language: LanguageTag, for segment: SpeechSegment) async {}
        func floorLanguageHeard(_ language: LanguageTag) async {}
        func engineStatus(_ status: MachineStatus, of booth: LanguageTag?) async {}
        func dropped(_ segment: SpeechSegment, lateBy micros: UInt64) async {}
    }

    @Test func glossaryTermsAreRecognitionHintsAndTranslationConstraints() async {
        let engines = Engines()
        let glossary = [
            GlossaryTerm([Self.ru: "пшеница", Self.kk: "бидай", Self.en: "wheat"]), GlossaryTerm([Self.ru: "Астана", Self.en: "Astana"]),
        ]
        let machine = MachineInterpreter(
            recognizer: engines,
            translator: engines,
            synthesizer: nil,
            output: engines,
            configuration: .init(languages: [Self.ru, Self.kk, Self.en], targets: [Self.kk, Self.en], glossary: glossary),
            floorLanguage: Self.ru,
            now: { 0 }
        )
        await machine.process(SpeechSegment(samples: [Float](repeating: 0.1, count: 24000), startMicros: 0))
        #expect(Set(engines.hints.withLock { $0 }) == ["пшеница", "бидай", "wheat", "Астана", "Astana"])
        #expect(engines.constraints.withLock { $0[Self.kk] } == ["пшеница": "бидай"])
        #expect(engines.constraints.withLock { $0[Self.en] } == ["пшеница": "wheat", "Астана": "Astana"])
    }
}
