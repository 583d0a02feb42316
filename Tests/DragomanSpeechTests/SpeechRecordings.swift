import DragomanAudio
import DragomanCore
import DragomanSpeech
import Foundation

/// The recordings the VAD is measured on, made once per test process.
enum SpeechRecordings {
    /// The summit floor made by scripts/make-summit-audio (espeak-ng + sox: Russian, Kazakh, English; 0.8 s between
    /// sentences), read from summit-floor.wav (48 kHz) and summit-floor.json, resampled to 16 kHz.
    static let summitFloor: Result<TimedSpeech, any Error> = Result { try makeSummitFloor() }

    /// A second text: English sentences spoken by `EspeakSynthesizer`, trimmed of their silence, with pauses of
    /// different lengths between them, at 16 kHz.
    static let englishPauses: Result<TimedSpeech, any Error> = Result { try makeEnglishPauses() }

    private static func makeSummitFloor() throws -> TimedSpeech {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dragoman-speech-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try run("/bin/bash", [Repository.root.appendingPathComponent("scripts/make-summit-audio").path, folder.path])
        let audio = try WAVFile.read(contentsOf: folder.appendingPathComponent("summit-floor.wav"))
        struct Entry: Decodable {
            var start: Double
            var end: Double
        }
        let timeline = try JSONDecoder().decode([Entry].self, from: Data(contentsOf: folder.appendingPathComponent("summit-floor.json")))
        return TimedSpeech(samples: try to16kHz(audio), sentences: timeline.map { $0.start...$0.end })
    }

    static let englishSentences = [
        "Good morning, and welcome to the delegation from Astana.",
        "Please take your seats.",
        "The meeting will now begin with remarks from the chair.",
        "Interpretation is available in Kazakh, Russian and English.",
        "Thank you.",
    ]
    /// Silence before each sentence, seconds, and after the last.
    static let englishPausesBefore = [1.0, 0.7, 1.2, 0.6, 0.9, 1.0]

    private static func makeEnglishPauses() throws -> TimedSpeech {
        let synthesizer = try EspeakSynthesizer(wordsPerMinute: 160)
        var samples: [Float] = []
        var sentences: [ClosedRange<Double>] = []
        let rate = Double(SpeechSegment.sampleRate)
        for (index, text) in englishSentences.enumerated() {
            samples += [Float](repeating: 0, count: Int(englishPausesBefore[index] * rate))
            let speech = trimSilence(try to16kHz(try synthesizer.synthesize(text, voice: "en-us")))
            let start = Double(samples.count) / rate
            samples += speech
            sentences.append(start...(Double(samples.count) / rate))
        }
        samples += [Float](repeating: 0, count: Int(englishPausesBefore.last! * rate))
        return TimedSpeech(samples: samples, sentences: sentences)
    }

    /// Cuts leading and trailing samples below 0.2 % of full scale (as make-summit-audio does with sox).
    static func trimSilence(_ samples: [Float]) -> [Float] {
        guard let first = samples.firstIndex(where: { abs($0) > 0.002 }), let last = samples.lastIndex(where: { abs($0) > 0.002 })
        else { return [] }
        return Array(samples[first...last])
    }
}
