import DragomanAudio
import Testing

@Suite("Limiter")
struct LimiterTests {
    static let ceiling = Float(AudioAnalysis.amplitude(dB: -1))

    @Test func twelveDecibelBurstNeverExceedsTheCeiling() {
        var limiter = Limiter()
        // Quiet speech-like tone, then a +12 dBFS burst (amplitude 4), then quiet again.
        let quiet = AudioAnalysis.sine(frequency: 300, duration: 0.5, amplitude: 0.1)
        let burst = AudioAnalysis.sine(frequency: 1000, duration: 0.2, amplitude: 4)
        var signal = quiet + burst + quiet
        var peak: Float = 0
        var reductions: [Double] = []
        for start in stride(from: 0, to: signal.count, by: 960) {
            var block = Array(signal[start..<(start + 960)])
            limiter.process(&block)
            peak = max(peak, block.map(abs).max() ?? 0)
            reductions.append(limiter.gainReductionDB)
            signal.replaceSubrange(start..<(start + 960), with: block)
        }
        #expect(peak <= Self.ceiling)
        // About 13 dB of reduction brings +12 dBFS under −1 dBFS.
        #expect((reductions.max() ?? 0) > 12.9 && (reductions.max() ?? 0) < 13.5)
        #expect(reductions.first == 0)
        // The burst still sounds loud: it is held near the ceiling, not muted.
        let limitedBurst = Array(signal[(24000 + 2400)..<(24000 + 7200)])
        #expect(AudioAnalysis.peak(limitedBurst) > 0.85)
    }

    @Test func impulsesAndSquareWavesAreHeldUnderTheCeiling() {
        var limiter = Limiter(ceilingDBFS: -3)
        let ceiling = Float(AudioAnalysis.amplitude(dB: -3))
        var signal = [Float](repeating: 0, count: 4800)
        signal[100] = 10  // single-sample spike
        signal[101] = -10
        for index in 2000..<4800 { signal[index] = (index / 24) % 2 == 0 ? 1.5 : -1.5 }
        limiter.process(&signal)
        #expect(signal.allSatisfy { abs($0) <= ceiling })
    }

    @Test func quietAudioPassesUnchangedAfterTheLookahead() {
        var limiter = Limiter()
        #expect(limiter.latency == 71)  // 1.5 ms at 48 kHz, minus the current sample
        let input = AudioAnalysis.sineSweep(from: 50, to: 15000, duration: 1, amplitude: 0.5)  // −9 dBFS peak
        var output = input
        limiter.process(&output)
        let delayed = Array(output[limiter.latency...])
        let original = Array(input[..<(input.count - limiter.latency)])
        #expect(abs(AudioAnalysis.dBFS(delayed) - AudioAnalysis.dBFS(original)) < 0.1)
        #expect(delayed == original)  // bit for bit: gain stays exactly 1
        #expect(limiter.gainReductionDB == 0)
    }

    @Test func gainRecoversAfterTheBurst() {
        var limiter = Limiter(releaseMs: 100)
        var burst = AudioAnalysis.sine(frequency: 1000, duration: 0.1, amplitude: 4)
        limiter.process(&burst)
        var quiet = AudioAnalysis.sine(frequency: 300, duration: 1.5, amplitude: 0.2)
        var reductions: [Double] = []
        for start in stride(from: 0, to: quiet.count, by: 960) {
            var block = Array(quiet[start..<(start + 960)])
            limiter.process(&block)
            reductions.append(limiter.gainReductionDB)
            quiet.replaceSubrange(start..<(start + 960), with: block)
        }
        let tail = Array(quiet[48000...])  // a second later, ten release time constants
        let level = AudioAnalysis.toneAmplitude(tail, frequency: 300, sampleRate: 48000)
        #expect(abs(decibelDifference(level, 0.2)) < 0.1)
        #expect(reductions[0] > 12)  // the first block still carries the burst's reduction
        #expect(reductions.last! < 0.01)
    }

    @Test func gainChangesSmoothlyWithoutClicks() {
        // A step from quiet to loud must not produce a sample jump bigger than the waveform's own slope.
        var limiter = Limiter()
        var signal =
            AudioAnalysis.sine(frequency: 100, duration: 0.2, amplitude: 0.3) + AudioAnalysis.sine(frequency: 100, duration: 0.2, amplitude: 3)
        limiter.process(&signal)
        let largestStep = zip(signal.dropFirst(), signal).map { abs($0 - $1) }.max() ?? 0
        // A 100 Hz sine at the ceiling moves at most 2π·100/48000·0.89 ≈ 0.012 per sample.
        #expect(largestStep < 0.03)
    }

    @Test func nonFiniteSamplesBecomeSilence() {
        var limiter = Limiter(lookaheadMs: 0)
        var samples: [Float] = [.nan, .infinity, -.infinity, 0.5]
        limiter.process(&samples)
        #expect(samples == [0, 0, 0, 0.5])
    }
}
