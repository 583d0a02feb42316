import DragomanAudio
import Foundation
import Testing

@Suite("Resampler")
struct ResamplerTests {
    /// Resamples a one-second tone; returns the output and the middle 80 % (clear of the edges).
    static func resampleTone(_ frequency: Double, from input: Int, to output: Int) throws -> (all: [Float], steady: [Float]) {
        var resampler = try Resampler(from: input, to: output)
        let result = resampler.resample(AudioAnalysis.sine(frequency: frequency, duration: 1, sampleRate: input, amplitude: 0.5))
        return (result, Array(result[(output / 10)..<(output * 9 / 10)]))
    }

    @Test func oneKilohertzAt44100To48000KeepsFrequencyLevelAndLength() throws {
        let (all, steady) = try Self.resampleTone(1000, from: 44100, to: 48000)
        #expect(all.count == 48000)  // ceil(44100 · 48000 / 44100)
        #expect(abs(AudioAnalysis.estimatedFrequency(steady, sampleRate: 48000) - 1000) < 0.01)
        // Measured: 0.000 dB.
        #expect(abs(decibelDifference(AudioAnalysis.toneAmplitude(steady, frequency: 1000, sampleRate: 48000), 0.5)) < 0.05)
    }

    @Test func outputLengthFollowsTheRatio() throws {
        for (input, output, count) in [(44100, 48000, 441), (44100, 48000, 1), (48000, 44100, 1000), (8000, 48000, 333), (22050, 16000, 12345)] {
            var resampler = try Resampler(from: input, to: output)
            let produced = resampler.resample([Float](repeating: 0.1, count: count)).count
            let expected = (count * output + input - 1) / input
            #expect(produced == expected, "\(input)→\(output) of \(count)")
        }
    }

    @Test func passbandIsFlatTo15kHzFor44100To48000() throws {
        // Measured: flat (±0.01 dB) to 16 kHz, −1.8 dB at 18 kHz, −14 dB at 20 kHz.
        for frequency in [100.0, 5000, 10_000, 15_000] {
            let steady = try Self.resampleTone(frequency, from: 44100, to: 48000).steady
            let level = decibelDifference(AudioAnalysis.toneAmplitude(steady, frequency: frequency, sampleRate: 48000), 0.5)
            #expect(abs(level) < 0.5, "\(frequency) Hz at \(level) dB")
        }
    }

    @Test func imagesAreAtLeast60dBDownWhenUpsampling() throws {
        // A tone at f in 44.1 kHz has images at 44.1k ± f; in a 48 kHz output they fold to
        // 48k − (44.1k − f) and (44.1k + f) − 48k. Measured: 75.8 dB down for 20 kHz, 80 dB for 15 kHz.
        for frequency in [10_000.0, 15_000, 20_000] {
            let steady = try Self.resampleTone(frequency, from: 44100, to: 48000).steady
            for image in [48000 - (44100 - frequency), 44100 + frequency - 48000] {
                let level = decibelDifference(AudioAnalysis.toneAmplitude(steady, frequency: image, sampleRate: 48000), 0.5)
                #expect(level < -60, "image of \(frequency) Hz at \(image) Hz: \(level) dB")
            }
        }
    }

    @Test func aliasesAreAtLeast60dBDownWhenDownsampling() throws {
        // Measured: 74 dB down (48k→44.1k, 23 kHz), 81 dB (48k→8k, 5 kHz).
        for (input, output, frequency) in [(48000, 44100, 23_000.0), (48000, 8000, 5000), (192_000, 8000, 9000)] {
            let steady = try Self.resampleTone(frequency, from: input, to: output).steady
            let alias = abs(Double(output) * (frequency / Double(output)).rounded() - frequency)
            let level = decibelDifference(AudioAnalysis.toneAmplitude(steady, frequency: alias, sampleRate: output), 0.5)
            #expect(level < -60, "\(input)→\(output): \(frequency) Hz aliased to \(alias) Hz at \(level) dB")
        }
    }

    @Test func equalRatesAreIdentity() throws {
        var resampler = try Resampler(from: 48000, to: 48000)
        #expect(resampler.isIdentity)
        let input = AudioAnalysis.sineSweep(from: 20, to: 20000, duration: 0.1)
        #expect(resampler.process(input) == input)
        #expect(resampler.flush().isEmpty)
        #expect(resampler.lookahead == 0)
    }

    @Test func eightKilohertzTo48kHzWorks() throws {
        let (all, steady) = try Self.resampleTone(1000, from: 8000, to: 48000)
        #expect(all.count == 48000)
        #expect(abs(AudioAnalysis.estimatedFrequency(steady, sampleRate: 48000) - 1000) < 0.01)
        #expect(abs(decibelDifference(AudioAnalysis.toneAmplitude(steady, frequency: 1000, sampleRate: 48000), 0.5)) < 0.05)
        // The 8 kHz input's images (7 and 9 kHz) are removed.
        #expect(AudioAnalysis.toneAmplitude(steady, frequency: 7000, sampleRate: 48000) < 0.5 * AudioAnalysis.amplitude(dB: -60))
    }

    @Test func unusualRatePairsKeepTheTone() throws {
        // 44100→47999 and 44101→48000 have no small common ratio, so phases are interpolated.
        for (input, output) in [(44100, 47999), (44101, 48000), (11025, 48000), (192_000, 8000), (96000, 44100)] {
            let (all, steady) = try Self.resampleTone(1000, from: input, to: output)
            #expect(all.count == output)
            #expect(abs(AudioAnalysis.estimatedFrequency(steady, sampleRate: output) - 1000) < 0.05, "\(input)→\(output)")
            #expect(abs(decibelDifference(AudioAnalysis.toneAmplitude(steady, frequency: 1000, sampleRate: output), 0.5)) < 0.05)
        }
    }

    @Test func streamingInOddSizeChunksEqualsOneShot() throws {
        let input = AudioAnalysis.sineSweep(from: 50, to: 20000, duration: 0.5, sampleRate: 44100)
        for (from, to) in [(44100, 48000), (44100, 8000), (44100, 47999)] {
            var oneShot = try Resampler(from: from, to: to)
            let expected = oneShot.resample(input)
            var streaming = try Resampler(from: from, to: to)
            var output: [Float] = []
            var offset = 0
            var sizes = [1, 7, 441, 0, 1023, 3, 5000].cycled().makeIterator()
            while offset < input.count, let size = sizes.next() {
                let end = min(offset + size, input.count)
                output += streaming.process(Array(input[offset..<end]))
                offset = end
            }
            output += streaming.flush()
            #expect(output == expected, "\(from)→\(to)")
        }
    }

    @Test func flushResetsForANewStream() throws {
        var resampler = try Resampler(from: 44100, to: 48000)
        let input = AudioAnalysis.sine(frequency: 440, duration: 0.05, sampleRate: 44100)
        let first = resampler.resample(input)
        let second = resampler.resample(input)
        #expect(first == second)
    }

    @Test func lookaheadIsAFewMillisecondsAtMost() throws {
        for (input, output) in [(44100, 48000), (8000, 48000), (192_000, 48000), (48000, 8000)] {
            let resampler = try Resampler(from: input, to: output)
            let milliseconds = Double(resampler.lookahead) / Double(input) * 1000
            #expect(milliseconds <= 2.1, "\(input)→\(output): \(milliseconds) ms")
        }
    }

    @Test func ratesOutsideTheRangeAreRefused() throws {
        for (input, output) in [(7999, 48000), (48000, 192_001), (0, 48000)] {
            let error = try #require(throws: AudioError.self) { try Resampler(from: input, to: output) }
            #expect(error.code == .invalidArgument)
            #expect(error.message.contains("8000–192000"))
        }
    }

    /// A log sweep from 20 Hz to 95 % of `rate`'s Nyquist frequency with 20 ms raised-cosine fades,
    /// so that its ends are band-limited too; the same function sampled at 48 kHz is the ideal result.
    static func fadedSweep(sampleRate rate: Int, top: Double, duration: Double) -> [Float] {
        let sweep = AudioAnalysis.sineSweep(from: 20, to: top, duration: duration, sampleRate: rate)
        return sweep.enumerated().map { index, sample in
            let edge = min(Double(index) / Double(rate), duration - Double(index) / Double(rate))
            return edge >= 0.02 ? sample : Float(0.5 - 0.5 * cos(Double.pi * max(0, edge) / 0.02)) * sample
        }
    }

    /// Resamples the sweep to 48 kHz in 20 ms pushes; returns its SNR against the ideal (no realignment:
    /// the output must be time-aligned) and the sweep frequency where a 10 ms window first falls 1 dB / 3 dB below it.
    static func sweepFigures(from rate: Int) throws -> (snr: Double, edge1dB: Double, edge3dB: Double) {
        let (duration, top) = (2.0, 0.95 * Double(rate) / 2)
        let input = fadedSweep(sampleRate: rate, top: top, duration: duration)
        let ideal = fadedSweep(sampleRate: 48000, top: top, duration: duration)
        var resampler = try Resampler(from: rate, to: 48000)
        var output: [Float] = []
        for start in stride(from: 0, to: input.count, by: rate / 50) {
            output += resampler.process(Array(input[start..<min(start + rate / 50, input.count)]))
        }
        output += resampler.flush()
        var edges: [Double] = [top, top]
        for start in stride(from: 480, to: ideal.count - 960, by: 480) {
            let level = AudioAnalysis.decibels(
                AudioAnalysis.rms(Array(output[start..<(start + 480)])) / AudioAnalysis.rms(Array(ideal[start..<(start + 480)]))
            )
            let frequency = 20 * exp(log(top / 20) * (Double(start) + 240) / 48000 / duration)
            guard frequency > 1000 else { continue }
            for (index, threshold) in [-1.0, -3.0].enumerated() where level < threshold && edges[index] == top { edges[index] = frequency }
        }
        return (AudioAnalysis.snr(reference: ideal, test: output, lag: 0), edges[0], edges[1])
    }

    @Test func sweepFrom44100KeepsTheWholeBandAndAHighSNR() throws {
        // The 44.1 kHz floor that USB mixers send. Measured (speexdsp quality 8): SNR 63.7 dB, no −1 dB point below
        // the sweep's 20.9 kHz top. The hand-written 32-tap polyphase filter gave 21.3 dB and −3 dB at 18.6 kHz.
        let figures = try Self.sweepFigures(from: 44100)
        #expect(figures.snr > 50, "SNR \(figures.snr) dB")
        #expect(figures.edge1dB > 20_000, "−1 dB at \(figures.edge1dB) Hz")
        #expect(figures.edge3dB > 20_500, "−3 dB at \(figures.edge3dB) Hz")
    }

    @Test func sweepFrom16000KeepsTheBandWithinTheLatencyBudget() throws {
        // Measured (speexdsp quality 4, 2 ms look-ahead): SNR 33.4 dB, −1 dB at 7.29 kHz, no −3 dB point below 7.6 kHz.
        // The hand-written resampler gave 20.5 dB, −1 dB at 6.4 kHz and −3 dB at 6.7 kHz.
        let figures = try Self.sweepFigures(from: 16000)
        #expect(figures.snr > 30, "SNR \(figures.snr) dB")
        #expect(figures.edge1dB > 7000, "−1 dB at \(figures.edge1dB) Hz")
        #expect(figures.edge3dB > 7400, "−3 dB at \(figures.edge3dB) Hz")
    }

    @Test func qualityIsTheHighestThatFitsTheLookaheadBudget() throws {
        for (input, output, quality) in [(44100, 48000, 8), (32000, 48000, 7), (16000, 48000, 4), (8000, 48000, 2), (48000, 48000, 0)] {
            let resampler = try Resampler(from: input, to: output)
            #expect(resampler.quality == quality, "\(input)→\(output)")
            #expect(Double(resampler.lookahead) <= Resampler.lookaheadBudget * Double(input), "\(input)→\(output)")
        }
    }
}
