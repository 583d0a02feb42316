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

    /// A glossary term is kept in the event's languages only, trimmed, bounded, and visible; a term missing from
    /// one language simply does not translate into it.
    @Test func glossaryTermsAreCheckedAndTranslateOnlyBetweenLanguagesTheyAreGivenIn() throws {
        let languages = try EventRules.languages(["ru", "kk", "en"])
        let ru = languages[0]
        let kk = languages[1]
        let en = languages[2]
        let glossary = try EventRules.glossary(
            [["ru": " пшеница ", "kk": "бидай", "en": "wheat"], ["ru": "Астана", "en": "Astana"], ["kk": "", "en": "grain"]],
            of: languages
        )
        #expect(glossary.count == 3)
        #expect(glossary[0][ru] == "пшеница" && glossary[2].renderings == [en: "grain"])
        #expect(glossary.translations(from: ru, to: kk) == ["пшеница": "бидай"])
        #expect(glossary.translations(from: ru, to: en) == ["пшеница": "wheat", "Астана": "Astana"])
        #expect(glossary.terms(in: en) == ["wheat", "Astana", "grain"])

        func violation(_ raw: [[String: String]]) -> String? {
            do {
                _ = try EventRules.glossary(raw, of: languages)
                return nil
            } catch {
                #expect(error.field == "glossary")
                return error.message
            }
        }
        #expect(violation([["de": "Weizen"]])?.contains("'de' is not a language of the event") == true)
        #expect(violation([["ru": ""]])?.contains("Glossary term 1 is empty") == true)
        #expect(violation([["en": "wheat\u{202E}"]])?.contains("no control or direction characters") == true)
        #expect(violation([["en": String(repeating: "w", count: 101)]])?.contains("at most 100") == true)
        #expect(violation(Array(repeating: ["en": "wheat"], count: 201))?.contains("at most 200") == true)
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
        var event = EventDefinition(
            code: JoinCode("K7QM2X")!,
            name: "S",
            languages: [LanguageTag("ru")!],
            pin: PINDigest(of: "2468", salt: [1, 2, 3, 4]),
            floorToken: SecretDigest(of: "t"),
            createdAt: 0
        )
        #expect(event.admits(pin: "2468"))
        #expect(!event.admits(pin: "2469"))
        #expect(!event.admits(pin: nil))
        event.pin = nil
        #expect(event.admits(pin: nil))
        #expect(event.channels == [.floor, .language(LanguageTag("ru")!)])
    }
}
