/// Keeps what Whisper-like recognizers invent on silence, noise and music away from captions: text
/// with a high no-speech probability, repetitive loops (a high compression ratio), and the stock
/// phrases of the subtitles these models were trained on.
public struct HallucinationFilter: Sendable {
    /// Above this no-speech probability a segment is taken for silence.
    public var maximumNoSpeechProbability = 0.6
    /// Above this compression ratio the text is a loop.
    public var maximumCompressionRatio = 2.4

    public init() {}

    /// Phrases that come out of silence, lowercased, without punctuation.
    static let stockPhrases: Set<String> = [
        "thank you for watching", "thanks for watching", "please subscribe", "subtitles by the amaraorg community",
        "продолжение следует", "спасибо за просмотр", "субтитры сделал dimatorzok", "редактор субтитров асинецкая корректор аегорова",
        "субтитры создавал dimatorzok", "благодарю за внимание",
    ]

    /// Whether `transcript` is speech worth a caption.
    public func accepts(_ transcript: Transcript) -> Bool {
        let letters = transcript.text.lowercased().unicodeScalars.filter { $0.properties.isAlphabetic || $0 == " " }
        let words = String(String.UnicodeScalarView(letters)).split(separator: " ").joined(separator: " ")
        guard !words.isEmpty else { return false }
        if let probability = transcript.noSpeechProbability, probability > maximumNoSpeechProbability { return false }
        if let ratio = transcript.compressionRatio, ratio > maximumCompressionRatio { return false }
        return !Self.stockPhrases.contains(words)
    }
}
