import Foundation

/// Word error rate: the word-level edit distance (substitutions, deletions, insertions) from the
/// reference to the hypothesis, divided by the reference's word count. Case, punctuation and ё/е are
/// ignored, as is usual for Russian.
enum WordErrorRate {
    static func words(_ text: String) -> [String] {
        let lowered = text.lowercased().replacingOccurrences(of: "ё", with: "е")
        let cleaned = String(lowered.map { $0.isLetter || $0.isNumber || $0 == "'" ? $0 : " " })
        return cleaned.split(separator: " ").map(String.init)
    }

    static func of(_ hypothesis: String, reference: String) -> Double {
        let (edits, count) = errors(hypothesis, reference: reference)
        return count == 0 ? (edits == 0 ? 0 : 1) : Double(edits) / Double(count)
    }

    /// The word edits and the reference's word count, to add up over many sentences.
    static func errors(_ hypothesis: String, reference: String) -> (edits: Int, words: Int) {
        let ref = words(reference)
        let hyp = words(hypothesis)
        guard !ref.isEmpty else { return (hyp.count, 0) }
        var previous = Array(0...hyp.count)
        for (i, r) in ref.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: hyp.count)
            for (j, h) in hyp.enumerated() {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (r == h ? 0 : 1))
            }
            previous = current
        }
        return (previous[hyp.count], ref.count)
    }
}
