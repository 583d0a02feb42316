import Foundation

/// Measurements and test signals for tests and benchmarks. Pure functions on mono samples.
public enum AudioAnalysis {
    /// Root mean square of the samples (0 for none).
    public static func rms(_ samples: [Float]) -> Double {
        guard !samples.isEmpty else { return 0 }
        let energy = samples.reduce(0.0) { $0 + Double($1) * Double($1) }
        return (energy / Double(samples.count)).squareRoot()
    }

    /// Largest absolute sample value.
    public static func peak(_ samples: [Float]) -> Double {
        Double(samples.reduce(0) { max($0, abs($1)) })
    }

    /// The RMS level in dBFS, where 0 dBFS is an RMS of 1 (a full-scale square wave);
    /// a full-scale sine measures −3.01 dBFS. Silence gives `-infinity`.
    public static func dBFS(_ samples: [Float]) -> Double {
        decibels(rms(samples))
    }

    /// An amplitude ratio in dB: 20·log10(ratio).
    public static func decibels(_ ratio: Double) -> Double {
        20 * log10(ratio)
    }

    /// The amplitude ratio of a level in dB: 10^(dB/20).
    public static func amplitude(dB: Double) -> Double {
        pow(10, dB / 20)
    }

    /// A sine tone.
    public static func sine(frequency: Double, duration: Double, sampleRate: Int = 48000, amplitude: Double = 0.5) -> [Float] {
        let count = Int((duration * Double(sampleRate)).rounded())
        let step = 2 * Double.pi * frequency / Double(sampleRate)
        return (0..<count).map { Float(amplitude * sin(step * Double($0))) }
    }

    /// A logarithmic (exponential) sine sweep from `start` to `end` Hz: equal time per octave.
    public static func sineSweep(from start: Double, to end: Double, duration: Double, sampleRate: Int = 48000, amplitude: Double = 0.5) -> [Float] {
        let count = Int((duration * Double(sampleRate)).rounded())
        let rate = log(end / start)
        // Phase is the integral of the instantaneous frequency start·e^(rate·t/duration).
        let scale = 2 * Double.pi * start * duration / rate
        return (0..<count).map { index in
            let t = Double(index) / Double(sampleRate)
            return Float(amplitude * sin(scale * (exp(rate * t / duration) - 1)))
        }
    }

    /// The amplitude of the component at `frequency`, measured with a Hann-windowed
    /// Goertzel filter over the whole block: a pure sine of amplitude A gives about A,
    /// and components a few hundred hertz away barely register.
    public static func toneAmplitude(_ samples: [Float], frequency: Double, sampleRate: Int) -> Double {
        let count = samples.count
        guard count > 1 else { return 0 }
        let omega = 2 * Double.pi * frequency / Double(sampleRate)
        let coefficient = 2 * cos(omega)
        var s1 = 0.0
        var s2 = 0.0
        var windowSum = 0.0
        for (index, sample) in samples.enumerated() {
            let window = 0.5 - 0.5 * cos(2 * Double.pi * Double(index) / Double(count - 1))
            windowSum += window
            let s0 = Double(sample) * window + coefficient * s1 - s2
            s2 = s1
            s1 = s0
        }
        let real = s1 - s2 * cos(omega)
        let imaginary = s2 * sin(omega)
        return 2 * (real * real + imaginary * imaginary).squareRoot() / windowSum
    }

    /// The frequency of a clean tone, from the time between its first and last rising zero crossing
    /// (each crossing located by linear interpolation). Returns 0 when there are fewer than two crossings.
    public static func estimatedFrequency(_ samples: [Float], sampleRate: Int) -> Double {
        var first: Double?
        var last = 0.0
        var crossings = 0
        for index in 1..<max(1, samples.count) where samples[index - 1] < 0 && samples[index] >= 0 {
            let a = Double(samples[index - 1])
            let b = Double(samples[index])
            let position = Double(index - 1) + (-a) / (b - a)
            if first == nil { first = position }
            last = position
            crossings += 1
        }
        guard let first, crossings >= 2, last > first else { return 0 }
        return Double(crossings - 1) / ((last - first) / Double(sampleRate))
    }

    /// The lag in −`maxLag`…`maxLag` at which `b` best matches `a`, and how well.
    ///
    /// `value` is Σ a[i]·b[i+lag] / √(Σa²·Σb²): 1 when `b` is `a` delayed by `lag` samples
    /// (positive lag: `b` is late), smaller otherwise. Uses an FFT for long lag ranges,
    /// so seconds of audio correlate in well under a second.
    public static func normalizedCrossCorrelation(_ a: [Float], _ b: [Float], maxLag: Int) -> (value: Double, lag: Int) {
        let energyA = a.reduce(0.0) { $0 + Double($1) * Double($1) }
        let energyB = b.reduce(0.0) { $0 + Double($1) * Double($1) }
        let norm = (energyA * energyB).squareRoot()
        guard norm > 0, maxLag >= 0 else { return (0, 0) }
        let correlations = maxLag <= 16 ? directCorrelation(a, b, maxLag: maxLag) : fftCorrelation(a, b, maxLag: maxLag)
        var best = (value: -Double.infinity, lag: 0)
        for (offset, value) in correlations.enumerated() {
            let lag = offset - maxLag
            // Prefer the smallest |lag| among equal values, so silence-padded ties resolve to 0.
            if value > best.value || (value == best.value && abs(lag) < abs(best.lag)) { best = (value, lag) }
        }
        return (best.value / norm, best.lag)
    }

    /// Signal-to-noise ratio in dB of `test` against `reference` after aligning them by
    /// cross-correlation within ±`maxLag` samples: 10·log10(Σref² / Σ(ref − test)²) over their overlap.
    public static func snr(reference: [Float], test: [Float], maxLag: Int = 4800) -> Double {
        let lag = normalizedCrossCorrelation(reference, test, maxLag: maxLag).lag
        return snr(reference: reference, test: test, lag: lag)
    }

    /// Signal-to-noise ratio in dB of `test` against `reference` with `test` late by `lag` samples;
    /// `-infinity` when they do not overlap, `infinity` when they are identical.
    public static func snr(reference: [Float], test: [Float], lag: Int) -> Double {
        var signal = 0.0
        var noise = 0.0
        let start = max(0, -lag)
        let end = min(reference.count, test.count - lag)
        guard end > start else { return -.infinity }
        for index in start..<end {
            let r = Double(reference[index])
            let d = r - Double(test[index + lag])
            signal += r * r
            noise += d * d
        }
        return 10 * log10(signal / noise)
    }

    // c[lag + maxLag] = Σ a[i]·b[i+lag].
    private static func directCorrelation(_ a: [Float], _ b: [Float], maxLag: Int) -> [Double] {
        (-maxLag...maxLag).map { lag in
            var sum = 0.0
            let range = max(0, -lag)..<max(max(0, -lag), min(a.count, b.count - lag))
            for index in range { sum += Double(a[index]) * Double(b[index + lag]) }
            return sum
        }
    }

    private static func fftCorrelation(_ a: [Float], _ b: [Float], maxLag: Int) -> [Double] {
        // Circular correlation equals the linear one for |lag| ≤ maxLag once the size leaves
        // maxLag samples of room after the longer signal.
        let size = FFT.size(atLeast: max(a.count, b.count) + maxLag + 1)
        let fft = FFT(size: size)
        // Both real signals in one complex transform: z = a + i·b.
        var real = [Double](repeating: 0, count: size)
        var imaginary = [Double](repeating: 0, count: size)
        for index in a.indices { real[index] = Double(a[index]) }
        for index in b.indices { imaginary[index] = Double(b[index]) }
        fft.transform(real: &real, imaginary: &imaginary)
        // A[k] = (Z[k] + conj Z[−k]) / 2 and B[k] = (Z[k] − conj Z[−k]) / 2i; the product
        // conj(A)·B, whose inverse transform is Σ a[i]·b[i+lag] at index lag (mod size).
        var productReal = [Double](repeating: 0, count: size)
        var productImaginary = [Double](repeating: 0, count: size)
        for k in 0..<size {
            let m = (size - k) & (size - 1)
            let ar = (real[k] + real[m]) / 2
            let ai = (imaginary[k] - imaginary[m]) / 2
            let br = (imaginary[k] + imaginary[m]) / 2
            let bi = (real[m] - real[k]) / 2
            productReal[k] = ar * br + ai * bi
            productImaginary[k] = ar * bi - ai * br
        }
        fft.transform(real: &productReal, imaginary: &productImaginary, inverse: true)
        let scale = 1 / Double(size)
        return (-maxLag...maxLag).map { lag in productReal[(lag + size) % size] * scale }
    }
}
