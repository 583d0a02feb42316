import DragomanSpeech
import Foundation
import Testing

/// The silero VAD through sherpa-onnx, with the real model, on recordings whose sentence times are known.
@Suite struct SileroVoiceActivityTests {
    /// Where on the source's clock the recordings are pushed: not zero, so times must come from `at`.
    static let origin: UInt64 = 7_000_000

    /// Pushes `speech` in 20 ms blocks as a live source would, then flushes; returns the segments and the real-time
    /// factor (processing time over audio time).
    static func detect(
        _ speech: TimedSpeech,
        settings: SherpaOnnxVoiceActivityDetector.Settings = .init()
    ) throws -> (segments: [SpeechSegment], rtf: Double) {
        let detector = try SherpaOnnxVoiceActivityDetector(modelPath: Repository.sileroModel, settings: settings)
        let block = SpeechSegment.sampleRate / 50
        var segments: [SpeechSegment] = []
        let started = ContinuousClock.now
        for start in stride(from: 0, to: speech.samples.count, by: block) {
            let samples = Array(speech.samples[start..<min(start + block, speech.samples.count)])
            segments += try detector.accept(samples, at: origin + UInt64(start) * 1_000_000 / UInt64(SpeechSegment.sampleRate))
        }
        segments += try detector.flush()
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return (segments, seconds / speech.duration)
    }

    /// The assertions every recording must pass at the default settings.
    static func check(_ name: String, _ speech: TimedSpeech) throws {
        let (segments, rtf) = try detect(speech)
        let score = SegmentationScore(segments: segments, sentences: speech.sentences, originMicros: origin)
        // One line for docs/benchmarks.md (scripts/bench-speech collects these).
        print("speech-bench vad \(name): \(String(format: "%.1f", speech.duration)) s, \(score), RTF \(String(format: "%.4f", rtf))")
        #expect(score.sentencesFound == score.sentenceCount, "\(name): \(score)")
        #expect(Double(score.boundariesWithin(0.3)) >= 0.9 * Double(score.boundaryErrors.count), "\(name): \(score)")
        #expect(score.segmentsInSilence.isEmpty, "\(name): segments in silence \(score.segmentsInSilence)")
        #expect(score.silencesBridged == 0, "\(name): \(score)")
        for segment in segments {
            #expect(segment.samples.count <= 8 * SpeechSegment.sampleRate + 2 * 512, "\(name): a segment longer than the maximum")
        }
    }

    @Test func findsEverySentenceOfTheSummitFloor() throws {
        try Self.check("summit-floor", try SpeechRecordings.summitFloor.get())
    }

    @Test func sameSettingsFindEverySentenceOfASecondText() throws {
        try Self.check("english-pauses", try SpeechRecordings.englishPauses.get())
    }

    @Test func speechLongerThanTheMaximumIsCutAndContinuesAtTheNextSample() throws {
        let speech = try SpeechRecordings.summitFloor.get()
        let maximum = 3.0
        let (segments, _) = try Self.detect(speech, settings: .init(maximumSegment: maximum))
        let cut = segments.indices.filter { !segments[$0].isComplete }
        #expect(!cut.isEmpty, "the summit has sentences of 4–8 s; some must be cut at \(maximum) s")
        for index in cut {
            let segment = segments[index]
            #expect(Double(segment.samples.count) <= maximum * Double(SpeechSegment.sampleRate) + 2 * 512)
            #expect(Double(segment.samples.count) >= (maximum - 0.5) * Double(SpeechSegment.sampleRate))
            // The speech goes on: the next segment starts where this one was cut.
            guard index + 1 < segments.count else { continue }
            let gap = Int64(segments[index + 1].startMicros) - Int64(segment.endMicros)
            #expect(abs(gap) <= 1000, "a cut segment ends at \(segment.endMicros) µs, the next starts at \(segments[index + 1].startMicros) µs")
        }
        let score = SegmentationScore(segments: segments, sentences: speech.sentences, originMicros: Self.origin)
        #expect(score.sentencesFound == score.sentenceCount)
        #expect(score.segmentsInSilence.isEmpty)
    }

    @Test func openSpeechIsTheStartOfTheSegmentToCome() throws {
        // Fed the summit in 20 ms blocks, the detector shows the speech open once a second while the speaker goes on:
        // each view must be the beginning of the segment that comes out next (same start, same samples), and
        // nothing is open in the silences.
        let speech = try SpeechRecordings.summitFloor.get()
        let detector = try SherpaOnnxVoiceActivityDetector(modelPath: Repository.sileroModel)
        let block = SpeechSegment.sampleRate / 50
        var views: [SpeechSegment] = []
        var checked = 0
        for start in stride(from: 0, to: speech.samples.count, by: block) {
            let samples = Array(speech.samples[start..<min(start + block, speech.samples.count)])
            let segments = try detector.accept(samples, at: Self.origin + UInt64(start) * 1_000_000 / UInt64(SpeechSegment.sampleRate))
            if let segment = segments.first {
                for view in views {
                    // sherpa's own look-back differs from ours by a window or so; the audio must be the same.
                    let offset = (Int64(view.startMicros) - Int64(segment.startMicros)) * Int64(SpeechSegment.sampleRate) / 1_000_000
                    #expect(abs(offset) <= 2 * 512, "open speech at \(view.startMicros) µs, its segment at \(segment.startMicros) µs")
                    let viewFrom = Int(max(-offset, 0))
                    let segmentFrom = Int(max(offset, 0))
                    let count = min(view.samples.count - viewFrom, segment.samples.count - segmentFrom)
                    let same = count > 0 && view.samples[viewFrom..<viewFrom + count] == segment.samples[segmentFrom..<segmentFrom + count]
                    #expect(same, "the open speech at \(view.startMicros) µs is not the audio of its segment")
                    checked += 1
                }
                views = []
            }
            guard start % SpeechSegment.sampleRate == 0 else { continue }
            let open = detector.openSpeech()
            let now = Double(start) / Double(SpeechSegment.sampleRate)
            if speech.sentences.allSatisfy({ now < $0.lowerBound - 1 || now > $0.upperBound + 1 }) {
                #expect(open == nil, "speech open at \(now) s, in a silence")
            }
            if let open, !open.isComplete { views.append(open) }
        }
        #expect(checked >= speech.sentences.count, "only \(checked) views of open speech were checked")
    }

    @Test func segmentTimesFollowTheClockOfEachBlock() throws {
        // The same speech pushed in two blocks, the second an hour later on the source's clock (a gap in ingest):
        // the segments after the gap are timed from the second block's `at`.
        let speech = try SpeechRecordings.englishPauses.get()
        let detector = try SherpaOnnxVoiceActivityDetector(modelPath: Repository.sileroModel)
        let half = speech.samples.count / 2
        let hour: UInt64 = 3_600_000_000
        var segments = try detector.accept(Array(speech.samples[..<half]), at: 0)
        segments += try detector.accept(Array(speech.samples[half...]), at: hour)
        segments += try detector.flush()
        let secondHalf = speech.sentences.filter { $0.lowerBound > Double(half) / Double(SpeechSegment.sampleRate) + 0.5 }
        #expect(!secondHalf.isEmpty)
        for sentence in secondHalf {
            let expected = hour + UInt64((sentence.lowerBound - Double(half) / Double(SpeechSegment.sampleRate)) * 1e6)
            let nearest = segments.map { abs(Int64($0.startMicros) - Int64(expected)) }.min() ?? .max
            #expect(nearest <= 300_000, "a sentence at \(expected) µs has no segment start within 300 ms")
        }
    }

    @Test func silenceGivesNoSegments() throws {
        let detector = try SherpaOnnxVoiceActivityDetector(modelPath: Repository.sileroModel)
        var segments: [SpeechSegment] = []
        for block in 0..<500 {
            segments += try detector.accept([Float](repeating: 0, count: 320), at: UInt64(block) * 20_000)
        }
        segments += try detector.flush()
        #expect(segments.isEmpty)
    }

    @Test func aMissingModelIsAnErrorNamingTheFile() {
        let path = "/nonexistent/models/silero_vad.onnx"
        #expect {
            _ = try SherpaOnnxVoiceActivityDetector(modelPath: path)
        } throws: { error in
            guard let error = error as? SpeechError else { return false }
            return error.code == .modelMissing && error.message.contains(path) && error.engine == "silero-vad"
        }
    }

    @Test func settingsOutOfRangeAreRefusedByName() {
        #expect {
            _ = try SherpaOnnxVoiceActivityDetector(modelPath: Repository.sileroModel, settings: .init(threshold: 1.5))
        } throws: { error in
            (error as? SpeechError)?.code == .unsupported && (error as? SpeechError)?.message.contains("threshold") == true
        }
    }
}
