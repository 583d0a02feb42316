import DragomanCore
import DragomanSpeech
import Testing

/// What recognizers invent on silence never becomes a caption; real speech does.
@Suite struct HallucinationFilterTests {
    let filter = HallucinationFilter()

    @Test func speechPasses() {
        #expect(filter.accepts(Transcript(text: "Добрый день, уважаемые коллеги.", noSpeechProbability: 0.02, compressionRatio: 1.3)))
        #expect(filter.accepts(Transcript(text: "Құрметті Владимир Владимирович!")))
    }

    @Test func silenceLoopsAndStockPhrasesDoNot() {
        #expect(!filter.accepts(Transcript(text: "Thank you.", noSpeechProbability: 0.9)))
        #expect(!filter.accepts(Transcript(text: "да да да да да да да да да да", compressionRatio: 3.1)))
        #expect(!filter.accepts(Transcript(text: "Продолжение следует...")))
        #expect(!filter.accepts(Transcript(text: "Thanks for watching!")))
        #expect(!filter.accepts(Transcript(text: " ... ")))
    }

    /// Kazakh letters settle Kazakh among the event's languages; Russian text has no such letters.
    @Test func kazakhLettersSettleKazakh() {
        let languages = ["ru", "kk", "en"].map { LanguageTag($0)! }
        #expect(LanguageScript.decisiveLanguage(of: "Рахмет, құрметті достар", among: languages) == LanguageTag("kk"))
        #expect(LanguageScript.decisiveLanguage(of: "Спасибо, дорогие друзья", among: languages) == nil)
        #expect(LanguageScript.dominantScript(of: "Спасибо") == "cyrillic" && LanguageScript.dominantScript(of: "Thanks") == "latin")
    }
}
