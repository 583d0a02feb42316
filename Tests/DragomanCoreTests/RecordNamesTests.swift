import DragomanCore
import Testing

/// Who the recording's trail says carried a channel: a name only where the organizer allows it.
struct RecordNamesTests {
    let ru = LanguageTag("ru")!
    var aigerim: Interpreter {
        Interpreter(id: InterpreterID("i-aigerim"), name: "Aigerim", booth: ru, key: SecretDigest(of: "AAAAAAAA"), createdAt: 0)
    }
    let interpreter = ControlMessages.Source(kind: "interpreter", language: "ru")

    @Test func withoutNamesTheBoothAndRoleStandForThePerson() {
        let speaker = RecordNames.speaker(of: .language(ru), source: interpreter, live: aigerim, namesInRecord: false)
        #expect(speaker == RecordNames.Speaker(interpreter: "ru booth interpreter"))
        #expect(speaker?.interpreterId == nil)
    }

    @Test func withNamesTheLiveInterpreterIsNamed() {
        let speaker = RecordNames.speaker(of: .language(ru), source: interpreter, live: aigerim, namesInRecord: true)
        #expect(speaker == RecordNames.Speaker(interpreter: "Aigerim", interpreterId: "i-aigerim"))
        let relay = ControlMessages.Source(kind: "relay", language: "ru", via: "kk")
        #expect(RecordNames.speaker(of: .language(ru), source: relay, live: aigerim, namesInRecord: true)?.interpreter == "Aigerim")
    }

    /// Names allowed, but nobody known live in that booth (or someone of another booth): the role, never a wrong name.
    @Test func anUnknownOrOtherBoothSpeakerIsTheRole() {
        #expect(RecordNames.speaker(of: .language(ru), source: interpreter, live: nil, namesInRecord: true)?.interpreter == "ru booth interpreter")
        let john = Interpreter(id: InterpreterID("i-john"), name: "John", booth: LanguageTag("en")!, key: SecretDigest(of: "CCCCCCCC"), createdAt: 0)
        #expect(RecordNames.speaker(of: .language(ru), source: interpreter, live: john, namesInRecord: true)?.interpreter == "ru booth interpreter")
    }

    @Test func theFloorAndTheMachineNameNobody() {
        for kind in ["floor", "machine"] {
            let source = ControlMessages.Source(kind: kind, language: "ru")
            #expect(RecordNames.speaker(of: .language(ru), source: source, live: aigerim, namesInRecord: true) == nil)
        }
        #expect(RecordNames.speaker(of: .floor, source: interpreter, live: aigerim, namesInRecord: true) == nil)
    }

    @Test func aTranscriptLineSaysInterpreterWithoutAName() {
        #expect(RecordNames.captionSource("interpreter:Aigerim", namesInRecord: false) == "interpreter")
        #expect(RecordNames.captionSource("interpreter:Aigerim", namesInRecord: true) == "interpreter:Aigerim")
        #expect(RecordNames.captionSource("floor", namesInRecord: false) == "floor")
        #expect(RecordNames.captionSource("machine", namesInRecord: false) == "machine")
    }

    @Test func theLiveInterpreterOfABoothComesFromTheState() throws {
        let definition = EventDefinition(
            code: JoinCode("K7QM2X")!,
            name: "Summit",
            languages: [ru],
            pin: nil,
            floorToken: SecretDigest(of: "t"),
            createdAt: 0
        )
        var state = EventState(definition: definition, floorLanguage: LanguageTag("kk"), interpreters: [aigerim])
        #expect(state.liveInterpreter(in: ru) == nil)
        _ = state.connectConsole(aigerim.id, as: ConnectionID(1))
        _ = try state.microphone(.micOn(aigerim.id), from: aigerim.id, at: 1_000)
        #expect(state.liveInterpreter(in: ru) == aigerim)
    }
}
