import DragomanAudio

/// A small deterministic generator (SplitMix64), so "random" test inputs are the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Array where Element == UInt8 {
    static func random(count: Int, seed: UInt64) -> [UInt8] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }
}

/// Level difference in dB between two amplitudes.
func decibelDifference(_ measured: Double, _ reference: Double) -> Double {
    AudioAnalysis.decibels(measured / reference)
}

/// Encodes `signal` (48 kHz mono) frame by frame and decodes it again, then removes the
/// encoder's lookahead so the result lines up sample for sample with the input.
func opusRoundTrip(_ signal: [Float], bitrate: Int = 32000) throws -> [Float] {
    let encoder = try OpusEncoder(bitrate: bitrate)
    let decoder = try OpusDecoder()
    // One extra frame of silence flushes the lookahead out of the encoder.
    var padded = signal
    padded += [Float](repeating: 0, count: (960 - signal.count % 960) % 960 + 960)
    var decoded: [Float] = []
    for start in stride(from: 0, to: padded.count, by: 960) {
        decoded += try decoder.decode(try encoder.encode(Array(padded[start..<(start + 960)])))
    }
    let skip = encoder.lookahead
    return Array(decoded[skip..<(skip + signal.count)])
}

extension Array {
    /// The elements repeated forever.
    func cycled() -> some Sequence<Element> {
        sequence(state: 0) { index in
            defer { index = (index + 1) % count }
            return self[index]
        }
    }
}
