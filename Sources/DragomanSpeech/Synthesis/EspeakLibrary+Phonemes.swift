internal import CEspeakNG
import Foundation

extension EspeakLibrary {
    /// `text`'s IPA phonemes in the voice `voice`, one string per sentence, as Piper voices take them: espeak-ng
    /// phonemizes clause by clause, the clauses of a sentence are joined with ", ", and the sentence keeps its final
    /// punctuation (`.`, `?`, `!`). Call inside `withLoaded`.
    func ipaPhonemes(_ text: String, voice: String) throws(SpeechError) -> [String] {
        let status = espeak_ng_SetVoiceByName(voice)
        guard status == ENS_OK else {
            throw SpeechError(.unsupported, engine: EspeakSynthesizer.engine, "espeak-ng has no voice '\(voice)' to phonemize with")
        }
        var sentences: [String] = []
        for sentence in Self.sentences(of: text) {
            var clauses: [String] = []
            sentence.text.withCString { chars in
                var pointer: UnsafeRawPointer? = UnsafeRawPointer(chars)
                while pointer != nil {
                    guard let phonemes = espeak_TextToPhonemes(&pointer, espeakCHARS_UTF8, espeakPHONEMES_IPA) else { break }
                    let clause = String(cString: phonemes).trimmingCharacters(in: .whitespacesAndNewlines)
                    if !clause.isEmpty { clauses.append(clause) }
                }
            }
            guard !clauses.isEmpty else { continue }
            sentences.append(clauses.joined(separator: ", ") + sentence.end)
        }
        return sentences
    }

    /// Splits text into sentences at `.`, `?`, `!` (and their CJK and ellipsis forms); each keeps its end mark.
    static func sentences(of text: String) -> [(text: String, end: String)] {
        var result: [(text: String, end: String)] = []
        var current = ""
        for character in text {
            if ".?!…".contains(character) {
                let end = character == "…" ? "." : String(character)
                if !current.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { result.append((current, end)) }
                current = ""
            } else {
                current.append(character)
            }
        }
        if !current.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { result.append((current, ".")) }
        return result
    }
}
