import DragomanCore
import Testing

struct EventRulesTests {
    @Test func languagesAreValidatedAndKeptInOrder() throws {
        let tags = try EventRules.languages(["ru", "kk", "en"])
        #expect(tags.map(\.value) == ["ru", "kk", "en"])
    }

    /// Each broken rule names the field and the problem.
    @Test func violationsNameTheProblem() {
        #expect(throws: EventRules.Violation.self) { try EventRules.languages(nil) }
        #expect(throws: EventRules.Violation.self) { try EventRules.languages([]) }
        do {
            _ = try EventRules.languages(["ru", "russian"])
            Issue.record("expected a violation")
        } catch {
            #expect(error.field == "languages")
            #expect(error.message.contains("'russian'"))
        }
        do {
            _ = try EventRules.languages(["ru", "RU"])
            Issue.record("expected a violation")
        } catch {
            #expect(error.message.contains("twice"))
        }
        #expect(throws: EventRules.Violation.self) { try EventRules.languages(Array(repeating: "ru", count: 17)) }
    }

    @Test func namesAreTrimmedAndBounded() throws {
        #expect(try EventRules.name("  Summit ") == "Summit")
        #expect(throws: EventRules.Violation.self) { try EventRules.name("   ") }
        #expect(throws: EventRules.Violation.self) { try EventRules.name(nil) }
        #expect(throws: EventRules.Violation.self) { try EventRules.name(String(repeating: "x", count: 201)) }
    }

    @Test func pinsAreFourToTwelveDigits() throws {
        #expect(try EventRules.pin(nil) == nil)
        #expect(try EventRules.pin("2468") == "2468")
        #expect(throws: EventRules.Violation.self) { try EventRules.pin("123") }
        #expect(throws: EventRules.Violation.self) { try EventRules.pin("12a4") }
        #expect(throws: EventRules.Violation.self) { try EventRules.pin("1234567890123") }
    }

    /// An event admits a listener only with its PIN, and anyone when it has none.
    @Test func pinAdmission() {
        var event = EventDefinition(code: JoinCode("K7QM2X")!, name: "S", languages: [LanguageTag("ru")!], pin: "2468", floorToken: "t", createdAt: 0)
        #expect(event.admits(pin: "2468"))
        #expect(!event.admits(pin: "2469"))
        #expect(!event.admits(pin: nil))
        event.pin = nil
        #expect(event.admits(pin: nil))
        #expect(event.channels == [.floor, .language(LanguageTag("ru")!)])
    }
}
