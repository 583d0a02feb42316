public import DragomanCore

/// Combines what a recognizer says about the language of a segment with the script of the text it wrote,
/// restricted to the languages that may be spoken.
///
/// Whisper's language probabilities are renormalized over the candidates. The text then settles what
/// sound alone cannot: any of the Kazakh-only letters (ә ғ қ ң ө ұ ү һ і) makes Kazakh the answer when it
/// is a candidate, and a text in one script (Cyrillic or Latin) makes languages written in the other
/// unlikely.
public enum SpokenLanguageEvidence {
    /// Letters of Kazakh Cyrillic that Russian lacks.
    public static let kazakhOnlyLetters: Set<Character> = [
        "ә", "ғ", "қ", "ң", "ө", "ұ", "ү", "һ", "і", "Ә", "Ғ", "Қ", "Ң", "Ө", "Ұ", "Ү", "Һ", "І",
    ]
    static let cyrillicLanguages: Set<String> = ["ru", "kk", "uk", "be", "bg", "sr", "mk", "mn", "tg", "ky", "tt", "ba"]
    static let latinLanguages: Set<String> = [
        "en", "de", "fr", "es", "it", "pt", "nl", "pl", "cs", "sk", "sl", "hr", "ro", "hu", "fi", "sv", "da", "no",
        "tr", "uz", "az", "lv", "lt", "et", "id", "ms", "vi", "ca", "eu", "gl", "cy", "is", "sq", "tk",
    ]

    /// The candidates, most likely first, with probabilities that sum to 1.
    ///
    /// - Parameters:
    ///   - probabilities: the engine's probabilities by language code (may be partial or empty).
    ///   - detected: the language the engine settled on, used when it gives no probabilities.
    ///   - text: what the engine wrote for the segment.
    ///   - candidates: the languages that may be spoken; empty means any the engine named.
    public static func rank(
        probabilities: [String: Double],
        detected: LanguageTag?,
        text: String,
        among candidates: [LanguageTag]
    ) -> [(LanguageTag, Double)] {
        var pool = candidates
        if pool.isEmpty {
            pool = probabilities.keys.compactMap { LanguageTag($0) }
            if let detected, !pool.contains(detected) { pool.append(detected) }
        }
        guard !pool.isEmpty else { return [] }
        let floor = 1e-4
        var scores: [(LanguageTag, Double)] = pool.map { tag in
            let code = primary(tag)
            var p = probabilities[code] ?? 0
            if probabilities.isEmpty, let detected, primary(detected) == code { p = 1 }
            return (tag, max(p, floor))
        }

        var kazakh = 0
        var cyrillic = 0
        var latin = 0
        for scalar in text.unicodeScalars {
            if kazakhOnlyLetters.contains(Character(scalar)) { kazakh += 1 }
            if (0x0400...0x04FF).contains(scalar.value) {
                cyrillic += 1
            } else if scalar.properties.isAlphabetic && scalar.isASCII {
                latin += 1
            }
        }
        for index in scores.indices {
            let code = primary(scores[index].0)
            if cyrillic > 2 * latin && latinLanguages.contains(code) { scores[index].1 *= 0.05 }
            if latin > 2 * cyrillic && cyrillicLanguages.contains(code) { scores[index].1 *= 0.05 }
        }
        var total = scores.reduce(0) { $0 + $1.1 }
        for index in scores.indices { scores[index].1 /= total }
        if kazakh > 0, let index = scores.firstIndex(where: { primary($0.0) == "kk" }), scores[index].1 < 0.9 {
            // Kazakh letters settle it: Kazakh takes at least 0.9, the rest share what is left as before.
            let others = 1 - scores[index].1
            for other in scores.indices where other != index {
                scores[other].1 = others > 0 ? scores[other].1 / others * 0.1 : 0.1 / Double(scores.count - 1)
            }
            scores[index].1 = 0.9
            total = scores.reduce(0) { $0 + $1.1 }
            for other in scores.indices { scores[other].1 /= total }
        }
        return scores.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
    }

    static func primary(_ tag: LanguageTag) -> String { String(tag.value.prefix { $0 != "-" }) }
}
