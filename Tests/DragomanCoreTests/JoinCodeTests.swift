import DragomanCore
import Testing

struct JoinCodeTests {
    /// Codes typed in lower case or with spaces around them are the same code.
    @Test func inputIsCaseInsensitiveAndTrimmed() {
        #expect(JoinCode(" k7qm2x ")?.value == "K7QM2X")
    }

    /// Look-alike characters and wrong lengths are refused, so a misread code fails clearly.
    @Test(arguments: ["K7QM2", "K7QM2XX", "K7QM0X", "K7QMOX", "K7QM1X", "K7QMIX", "K7QMLX", "", "K7-M2X"])
    func invalidCodesAreRefused(_ text: String) {
        #expect(JoinCode(text) == nil)
    }

    /// Random codes only use the alphabet and always parse back.
    @Test func randomCodesParse() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<1000 {
            let code = JoinCode.random(using: &rng)
            #expect(JoinCode(code.value) == code)
        }
    }
}

struct LanguageTagTests {
    @Test(arguments: ["ru", "KK", "en-US", "zh-Hant", "yue"])
    func validTagsAreLowerCased(_ text: String) {
        #expect(LanguageTag(text)?.value == text.lowercased())
    }

    @Test(arguments: ["", "r", "russian", "en_US", "ru-", "floor", "12", "en-toolongsubtag"])
    func invalidTagsAreRefused(_ text: String) {
        #expect(LanguageTag(text) == nil)
    }

    /// "floor" is a channel, never a language.
    @Test func floorIsAChannelNotALanguage() {
        #expect(ChannelID("floor") == .floor)
        #expect(ChannelID("FLOOR") == .floor)
        #expect(ChannelID("ru") == .language(LanguageTag("ru")!))
        #expect(ChannelID("not a tag") == nil)
    }
}
