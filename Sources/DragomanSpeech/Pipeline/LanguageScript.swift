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

    /// Languages written in Cyrillic (by primary code): Whisper, forced into one of them, writes its letters into
    /// speech in another.
    static let cyrillicLanguages: Set<String> = ["ru", "kk", "uk", "be", "bg", "sr", "mk", "mn", "ky", "tg", "tt", "ba"]

    /// Whether `a` and `b` are written in the same script, as far as it is known here (Cyrillic ones).
    public static func shareScript(_ a: LanguageTag, _ b: LanguageTag) -> Bool {
        let primary = { (tag: LanguageTag) in String(tag.value.prefix { $0 != "-" }) }
        return cyrillicLanguages.contains(primary(a)) && cyrillicLanguages.contains(primary(b))
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
}
