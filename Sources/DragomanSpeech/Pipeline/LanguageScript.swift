public import DragomanCore

/// What the letters of a text say about its language, among the event's: Kazakh-only letters settle
/// Kazakh even for a short text, Cyrillic without them leans Russian, Latin leans English.
public enum LanguageScript {
    /// Letters that Kazakh has and Russian does not.
    static let kazakhLetters = Set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")

    /// The language the script settles among `candidates`, if it does.
    public static func decisiveLanguage(of text: String, among candidates: [LanguageTag]) -> LanguageTag? {
        let kazakh = LanguageTag("kk")!
        if candidates.contains(kazakh), text.contains(where: { kazakhLetters.contains($0) }) { return kazakh }
        return nil
    }

    /// Whether letters of its own settle `language` in a text (Kazakh's do; Russian's and English's are
    /// shared with other languages).
    public static func hasDecisiveLetters(_ language: LanguageTag) -> Bool {
        language.value.prefix { $0 != "-" } == "kk"
    }

    /// The script a text is mostly written in: `cyrillic`, `latin`, or nil.
    public static func dominantScript(of text: String) -> String? {
        var cyrillic = 0
        var latin = 0
        for scalar in text.unicodeScalars where scalar.properties.isAlphabetic {
            switch scalar.value {
            case 0x0400...0x04FF: cyrillic += 1
            case 0x0041...0x007A, 0x00C0...0x024F: latin += 1
            default: break
            }
        }
        if cyrillic == 0 && latin == 0 { return nil }
        return cyrillic >= latin ? "cyrillic" : "latin"
    }

    /// Languages written in Cyrillic (the rest of those a meeting here speaks are written in Latin letters, or in
    /// scripts this check leaves alone).
    static let cyrillicLanguages: Set<String> = ["ru", "kk", "uk", "be", "bg", "sr", "mk", "ky", "tg", "mn", "tt", "ba"]
    static let latinLanguages: Set<String> = [
        "en", "de", "fr", "es", "it", "pt", "nl", "pl", "cs", "sk", "tr", "uz", "az", "tk", "ro", "hu", "sv", "fi", "da",
        "no", "et", "lv", "lt", "hr", "sl", "sq", "id", "ms", "vi",
    ]

    /// The script `language` is written in, `cyrillic` or `latin`, or nil when this check does not know it.
    public static func script(of language: LanguageTag) -> String? {
        let primary = String(language.value.prefix { $0 != "-" })
        if cyrillicLanguages.contains(primary) { return "cyrillic" }
        if latinLanguages.contains(primary) { return "latin" }
        return nil
    }

    /// Whether `text` is written in another script than `language` is: Russian speech that the engine wrote down
    /// as German or Czech words.
    public static func isWrittenInAnotherScript(_ text: String, than language: LanguageTag) -> Bool {
        guard let expected = script(of: language), let written = dominantScript(of: text) else { return false }
        return expected != written
    }
}
