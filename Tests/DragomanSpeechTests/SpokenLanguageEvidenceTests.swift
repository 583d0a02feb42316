import DragomanCore
import Testing

@testable import DragomanSpeech

/// Language identification from Whisper's probabilities and the script of the text; the SSE parser and the
/// multipart body the adapters rely on.
@Suite struct SpokenLanguageEvidenceTests {
    let kk = LanguageTag("kk")!
    let ru = LanguageTag("ru")!
    let en = LanguageTag("en")!

    @Test func whisperProbabilitiesAreRestrictedToTheCandidates() {
        let ranked = SpokenLanguageEvidence.rank(
            probabilities: ["ru": 0.6, "uk": 0.3, "en": 0.05, "kk": 0.05],
            detected: ru,
            text: "Добрый день",
            among: [kk, ru, en]
        )
        #expect(ranked.map(\.0) == [ru, kk, en])
        #expect(abs(ranked.map(\.1).reduce(0, +) - 1) < 1e-9)
        #expect(ranked[0].1 > 0.85)
    }

    @Test func kazakhLettersSettleKazakhEvenWhenWhisperHeardSomethingElse() {
        // Whisper said Latvian for synthetic Kazakh (offline-engines.md); the letters decide.
        let ranked = SpokenLanguageEvidence.rank(
            probabilities: ["lv": 0.7, "ru": 0.2, "kk": 0.01],
            detected: LanguageTag("lv"),
            text: "Қайырлы күн, құрметті әріптестер",
            among: [kk, ru, en]
        )
        #expect(ranked.first?.0 == kk)
        #expect((ranked.first?.1 ?? 0) >= 0.9 - 1e-9)
    }

    @Test func theScriptOfTheTextOutweighsALatinLanguageForCyrillicText() {
        let ranked = SpokenLanguageEvidence.rank(
            probabilities: ["en": 0.5, "ru": 0.4],
            detected: en,
            text: "Сегодня мы обсудим бюджет",
            among: [ru, en]
        )
        #expect(ranked.first?.0 == ru)
    }

    @Test func onlyTheDetectedLanguageIsEnough() {
        let ranked = SpokenLanguageEvidence.rank(probabilities: [:], detected: en, text: "Good afternoon", among: [kk, ru, en])
        #expect(ranked.first?.0 == en)
        #expect((ranked.first?.1 ?? 0) > 0.99)
    }

    @Test func languageNamesMapToTags() {
        #expect(LanguageNames.tag(for: "russian") == ru)
        #expect(LanguageNames.tag(for: "Kazakh") == kk)
        #expect(LanguageNames.tag(for: "en") == en)
        #expect(LanguageNames.englishName(of: ru) == "Russian")
    }

    @Test func serverSentEventsSplitAcrossChunksAndLineEndings() {
        var parser = ServerSentEvents()
        #expect(parser.feed(Array("data: {\"a\"".utf8)).isEmpty)
        #expect(parser.feed(Array(":1}\r\n\r\n: comment\n\nevent: x\ndata: one\ndata: two\r\r".utf8)) == ["{\"a\":1}", "one\ntwo"])
        #expect(parser.feed(Array("data:[DONE]\n\n".utf8)) == ["[DONE]"])
        #expect(!parser.hasPartialEvent)
    }

    @Test func multipartBodyHasItsPartsAndClosingDelimiter() {
        var form = MultipartForm(boundary: "b0")
        form.add("model", "whisper-1")
        form.addFile("file", filename: "s.wav", contentType: "audio/wav", [1, 2])
        let text = String(decoding: form.finished(), as: UTF8.self)
        #expect(text.hasPrefix("--b0\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nwhisper-1\r\n--b0\r\n"))
        #expect(text.hasSuffix("\u{1}\u{2}\r\n--b0--\r\n"))
        #expect(form.contentType == "multipart/form-data; boundary=b0")
    }

    @Test func hintsBecomeAShortPrompt() {
        #expect(OpenAITranscriber.prompt([]) == nil)
        #expect(OpenAITranscriber.prompt(["Токаев", "Астана"]) == "Токаев, Астана.")
        #expect((OpenAITranscriber.prompt(Array(repeating: "слово", count: 500)) ?? "").count <= 401)
    }
}
