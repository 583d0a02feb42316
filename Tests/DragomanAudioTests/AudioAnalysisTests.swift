import DragomanAudio
import Foundation
import Testing

@Suite("Audio analysis")
struct AudioAnalysisTests {
    @Test func crossCorrelationFindsAKnownDelay() {
        let signal = AudioAnalysis.sineSweep(from: 100, to: 12000, duration: 0.5, amplitude: 0.5)
        for lag in [0, 1, 123, -45, 2000, -2400] {
            let shifted =
                lag >= 0
                ? [Float](repeating: 0, count: lag) + signal
                : Array(signal[(-lag)...])
            // Long lag ranges use the FFT, short ones the direct sum: both must agree.
            for maxLag in [2400, max(abs(lag), 10)] where abs(lag) <= maxLag {
                let result = AudioAnalysis.normalizedCrossCorrelation(signal, shifted, maxLag: maxLag)
                #expect(result.lag == lag, "lag \(lag) within ±\(maxLag)")
                #expect(result.value > 0.9)
            }
        }
    }

    @Test func crossCorrelationOfIdenticalSignalsIsOneAtLagZero() {
        let signal = AudioAnalysis.sine(frequency: 997, duration: 0.1)
        let fft = AudioAnalysis.normalizedCrossCorrelation(signal, signal, maxLag: 500)
        let direct = AudioAnalysis.normalizedCrossCorrelation(signal, signal, maxLag: 5)
        #expect(fft.lag == 0 && abs(fft.value - 1) < 1e-9)
        #expect(direct.lag == 0 && abs(direct.value - 1) < 1e-9)
        #expect(AudioAnalysis.normalizedCrossCorrelation(signal, [Float](repeating: 0, count: 100), maxLag: 50).value == 0)
    }

    @Test func snrAlignsBeforeMeasuring() {
        let reference = AudioAnalysis.sineSweep(from: 100, to: 8000, duration: 0.5, amplitude: 0.5)
        var generator = SeededGenerator(seed: 1)
        // Delay by 300 samples and add noise 40 dB under the signal's RMS.
        let noiseAmplitude = AudioAnalysis.rms(reference) * 0.01 * 3.0.squareRoot()
        let test =
            [Float](repeating: 0, count: 300) + reference.map { $0 + Float(Double.random(in: -noiseAmplitude...noiseAmplitude, using: &generator)) }
        let snr = AudioAnalysis.snr(reference: reference, test: test)
        #expect(abs(snr - 40) < 0.5)
        #expect(AudioAnalysis.snr(reference: reference, test: test, lag: 0) < 3)
        #expect(AudioAnalysis.snr(reference: reference, test: reference, lag: 0) == .infinity)
    }

    @Test func levelsAndTonesMeasureAsExpected() {
        let sine = AudioAnalysis.sine(frequency: 1000, duration: 1, amplitude: 1)
        #expect(abs(AudioAnalysis.dBFS(sine) + 3.0103) < 0.001)
        #expect(abs(AudioAnalysis.rms(sine) - 0.5.squareRoot()) < 1e-6)
        #expect(abs(AudioAnalysis.peak(sine) - 1) < 1e-6)
        #expect(AudioAnalysis.dBFS([0, 0]) == -.infinity)
        #expect(abs(AudioAnalysis.toneAmplitude(sine, frequency: 1000, sampleRate: 48000) - 1) < 0.001)
        #expect(AudioAnalysis.toneAmplitude(sine, frequency: 1500, sampleRate: 48000) < 1e-4)
        #expect(abs(AudioAnalysis.estimatedFrequency(sine, sampleRate: 48000) - 1000) < 1e-6)
        #expect(abs(AudioAnalysis.amplitude(dB: -6.0206) - 0.5) < 1e-5)
    }

    @Test func sineSweepIsLogarithmic() {
        let sweep = AudioAnalysis.sineSweep(from: 125, to: 16000, duration: 7, sampleRate: 48000, amplitude: 0.5)
        #expect(sweep.count == 336_000)
        #expect(abs(AudioAnalysis.peak(sweep) - 0.5) < 1e-3)
        // 7 octaves in 7 s: the frequency doubles every second; measure a short window at t = 0.5 s and 3.5 s.
        let early = Array(sweep[(24000 - 2400)..<(24000 + 2400)])
        let late = Array(sweep[(168_000 - 240)..<(168_000 + 240)])
        #expect(abs(AudioAnalysis.estimatedFrequency(early, sampleRate: 48000) / (125 * 2.0.squareRoot()) - 1) < 0.02)
        #expect(abs(AudioAnalysis.estimatedFrequency(late, sampleRate: 48000) / (125 * pow(2, 3.5)) - 1) < 0.02)
    }
}
