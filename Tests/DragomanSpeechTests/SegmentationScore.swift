import DragomanCore
import DragomanSpeech
import Foundation

/// How well detected segments match a recording's known sentences.
struct SegmentationScore: CustomStringConvertible {
    /// Sentences that some segment overlaps.
    var sentencesFound: Int
    var sentenceCount: Int
    /// For every sentence start and end, the distance to the nearest segment boundary, seconds.
    var boundaryErrors: [Double]
    /// The sentence start or end farthest from a segment boundary, seconds into the recording.
    var worstBoundary: Double?
    /// Segments that overlap no sentence (speech found in silence).
    var segmentsInSilence: [ClosedRange<Double>]
    /// Silences between sentences whose middle 200 ms a segment covers.
    var silencesBridged: Int
    var segmentCount: Int
    /// Segments cut at the maximum length.
    var incompleteCount: Int

    /// Scores `segments` (times relative to the recording's start, which was pushed at `originMicros`).
    init(segments: [SpeechSegment], sentences: [ClosedRange<Double>], originMicros: UInt64) {
        let spans = segments.map { segment in
            (Double(segment.startMicros) - Double(originMicros)) / 1e6...(Double(segment.endMicros) - Double(originMicros)) / 1e6
        }
        let boundaries = spans.flatMap { [$0.lowerBound, $0.upperBound] }
        sentencesFound = sentences.filter { sentence in spans.contains { $0.overlaps(sentence) } }.count
        sentenceCount = sentences.count
        boundaryErrors = sentences.flatMap { [$0.lowerBound, $0.upperBound] }.map { time in
            boundaries.map { abs($0 - time) }.min() ?? .infinity
        }
        let times = sentences.flatMap { [$0.lowerBound, $0.upperBound] }
        worstBoundary = zip(times, boundaryErrors).max { $0.1 < $1.1 }?.0
        segmentsInSilence = spans.filter { span in !sentences.contains { $0.overlaps(span) } }
        silencesBridged =
            zip(sentences, sentences.dropFirst()).filter { previous, next in
                let middle = (previous.upperBound + next.lowerBound) / 2
                return spans.contains { $0.overlaps(middle - 0.1...middle + 0.1) }
            }.count
        segmentCount = segments.count
        incompleteCount = segments.filter { !$0.isComplete }.count
    }

    /// Sentence starts and ends within `tolerance` seconds of a segment boundary.
    func boundariesWithin(_ tolerance: Double) -> Int { boundaryErrors.filter { $0 <= tolerance }.count }

    var description: String {
        let errors = Percentiles(boundaryErrors.map { $0 * 1000 })
        return "sentences found \(sentencesFound)/\(sentenceCount), segments \(segmentCount) (\(incompleteCount) cut at the maximum), "
            + "starts+ends within 300 ms \(boundariesWithin(0.3))/\(boundaryErrors.count), "
            + "boundary error p50 \(Int(errors.p50.rounded())) ms p90 \(Int(errors.p90.rounded())) ms max \(Int(errors.max.rounded())) ms "
            + "(at \(worstBoundary.map { String(format: "%.2f", $0) } ?? "-") s), "
            + "segments in silence \(segmentsInSilence.count), silences bridged \(silencesBridged)"
    }
}
