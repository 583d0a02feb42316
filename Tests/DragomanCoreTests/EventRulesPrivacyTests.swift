import DragomanCore
import Testing

/// A confidential meeting is never recorded, and nothing of it leaves the room.
struct EventRulesPrivacyTests {
    @Test func aConfidentialEventCannotBeRecorded() {
        do {
            try EventRules.privacy(confidential: true, recording: true)
            Issue.record("expected a violation")
        } catch {
            #expect(error.field == "confidential")
            #expect(error.message.contains("'confidential' and 'recording' are both true"))
            #expect(error.message.contains("\"recording\": false"))
        }
    }

    @Test func everyOtherCombinationIsAllowed() throws {
        try EventRules.privacy(confidential: true, recording: false)
        try EventRules.privacy(confidential: false, recording: true)
        try EventRules.privacy(confidential: false, recording: false)
    }

    @Test func anEventIsOpenAndNamesNoOneByDefault() {
        let event = EventDefinition(
            code: JoinCode("K7QM2X")!,
            name: "Summit",
            languages: [LanguageTag("ru")!],
            pin: nil,
            floorToken: SecretDigest(of: "t"),
            createdAt: 0
        )
        #expect(!event.confidential)
        #expect(!event.namesInRecord)
        #expect(!event.recording)
    }

    /// The refusal of an output names the event, the output, and what would allow it; it is a 403 and closes with 4403.
    @Test func theRefusalOfAnOutputSaysWhy() {
        let event = EventDefinition(
            code: JoinCode("K7QM2X")!,
            name: "Summit",
            languages: [LanguageTag("ru")!],
            pin: nil,
            floorToken: SecretDigest(of: "t"),
            createdAt: 0
        )
        let error = ProtocolError.confidential(event, output: "an Icecast relay (role=relay)")
        #expect(error.code == .confidential)
        #expect(error.code.rawValue == "confidential")
        #expect(error.code.httpStatus == 403 && error.code.closeCode == 4403)
        #expect(error.message.contains("K7QM2X") && error.message.contains("confidential") && error.message.contains("role=relay"))
    }
}
