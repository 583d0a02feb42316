import DragomanAudio
import DragomanSpeech
import Foundation

/// Paths inside the repository, found from this file, so tests run from any working directory.
enum Repository {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// The silero VAD model scripts/setup unpacks.
    static let sileroModel = root.appendingPathComponent("vendor/models/silero_vad.onnx").path
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs a program to its end; throws with its output when it fails.
func run(_ executable: String, _ arguments: [String]) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw TestFailure("\(executable) \(arguments.joined(separator: " ")) exited with \(process.terminationStatus): \(text)")
    }
}

/// A 16 kHz mono recording of speech and where each sentence in it starts and ends, seconds.
struct TimedSpeech: Sendable {
    var samples: [Float]
    var sentences: [ClosedRange<Double>]

    var duration: Double { Double(samples.count) / Double(SpeechSegment.sampleRate) }
}

/// Converts audio to 16 kHz mono with the project's resampler.
func to16kHz(_ audio: PCMAudio) throws -> [Float] {
    var resampler = try Resampler(from: audio.sampleRate, to: SpeechSegment.sampleRate)
    return resampler.resample(audio.mixedToMono().samples)
}
