import DragomanCore
import Foundation
import Testing

@testable import DragomanServer

/// What a recording's sidecar keeps of a channel's messages: the interpreter named only where the organizer allows it.
struct RecordingTrailLineTests {
    let ru = LanguageTag("ru")!
    var aigerim: Interpreter {
        Interpreter(id: InterpreterID("i-aigerim"), name: "Aigerim", booth: ru, key: SecretDigest(of: "AAAAAAAA"), createdAt: 0)
    }
    let carrying = #"{"type":"carrying","channel":"ru","source":{"kind":"interpreter","language":"ru"},"interpretation":true,"floorLive":true}"#

    func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func withoutNamesACarryingLineSaysTheBoothInterpreter() throws {
        let line = RecordingTrailLine.message(carrying, channel: .language(ru), live: aigerim, namesInRecord: false)
        #expect(try object(line)["interpreter"] as? String == "ru booth interpreter")
        #expect(!line.contains("Aigerim") && !line.contains("i-aigerim"))
        // A name that came in the message itself goes too.
        let named =
            #"{"type":"carrying","channel":"ru","source":{"kind":"interpreter","language":"ru"},"interpreter":"Aigerim","interpreterId":"i-aigerim"}"#
        let redacted = RecordingTrailLine.message(named, channel: .language(ru), live: aigerim, namesInRecord: false)
        #expect(!redacted.contains("Aigerim") && !redacted.contains("i-aigerim"))
    }

    @Test func withNamesACarryingLineNamesTheLiveInterpreter() throws {
        let line = try object(RecordingTrailLine.message(carrying, channel: .language(ru), live: aigerim, namesInRecord: true))
        #expect(line["interpreter"] as? String == "Aigerim")
        #expect(line["interpreterId"] as? String == "i-aigerim")
        #expect((line["source"] as? [String: Any])?["kind"] as? String == "interpreter")
    }

    @Test func captionsAndTheFloorAreKeptAsTheyAre() throws {
        let floor = #"{"type":"carrying","channel":"ru","source":{"kind":"floor","language":"ru"},"interpretation":false,"floorLive":true}"#
        #expect(try object(RecordingTrailLine.message(floor, channel: .language(ru), live: aigerim, namesInRecord: true))["interpreter"] == nil)
        let caption =
            #"{"type":"caption","channel":"ru","id":"c1","text":"Добрый день","final":true,"start":1,"end":2,"source":"interpreter:Aigerim"}"#
        let kept = try object(RecordingTrailLine.message(caption, channel: .language(ru), live: aigerim, namesInRecord: false))
        #expect(kept["source"] as? String == "interpreter" && kept["text"] as? String == "Добрый день")
    }
}
