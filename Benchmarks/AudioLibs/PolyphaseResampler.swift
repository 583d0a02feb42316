// The hand-written polyphase resampler that Sources/DragomanAudio/DSP/Resampler.swift held before it switched to
// libsoxr (commit 2b3ce8d), kept here unchanged but renamed so the comparison can be rerun.

import Foundation

/// Converts a mono stream from one sample rate to another, block by block.
///
/// A polyphase windowed-sinc (Kaiser) filter: 32 taps at the lower of the two rates,
/// passband flat to 72.5 % of the lower Nyquist frequency (16 kHz at 44.1 kHz) and stopband
/// from that Nyquist frequency on, with images and aliases about 70 dB down. The filter
/// looks 16 samples of the lower rate ahead (0.36 ms at 44.1 kHz, 2 ms at 8 kHz), which is
/// all the latency it adds; the output is otherwise time-aligned with the input.
///
/// The ratio is kept exact as a fraction (via the gcd), so output position never drifts.
/// Ratios with a small numerator use one coefficient set per phase; others interpolate
/// between 256 precomputed phases. Equal rates pass samples through untouched.
struct PolyphaseResampler: Sendable {
    /// Input samples per second.
    public let inputRate: Int
    /// Output samples per second.
    public let outputRate: Int

    /// The sample rates accepted, inclusive.
    public static let supportedRates = 8000...192_000

    private let kernel: Kernel?  // nil: identity
    private var history: [Float] = []  // input samples from absolute index `historyStart` on
    private var historyStart = 0
    private var nextIndex = 0  // integer part of the next output's position, in input samples
    private var nextPhase = 0  // fractional part, in units of 1/kernel.up

    /// Creates a resampler.
    ///
    /// - Throws: `AudioError` with `.invalidArgument` for a rate outside 8000–192000.
    public init(from inputRate: Int, to outputRate: Int) throws {
        for (name, rate) in [("input", inputRate), ("output", outputRate)] where !Self.supportedRates.contains(rate) {
            throw AudioError(.invalidArgument, "resampler \(name) rate \(rate) Hz is outside 8000–192000")
        }
        self.inputRate = inputRate
        self.outputRate = outputRate
        kernel = inputRate == outputRate ? nil : Kernel(inputRate: inputRate, outputRate: outputRate)
        reset()
    }

    /// Whether the rates are equal and samples pass through unchanged.
    public var isIdentity: Bool { kernel == nil }

    /// Input samples the filter needs beyond an output's position before it can compute it:
    /// the only delay the resampler adds to a live stream.
    public var lookahead: Int { kernel?.halfTaps ?? 0 }

    /// Resamples the next block; returns every output sample that the input so far determines.
    public mutating func process(_ input: [Float]) -> [Float] {
        guard let kernel else { return input }
        history.append(contentsOf: input)
        let end = historyStart + history.count
        let halfTaps = kernel.halfTaps
        var output: [Float] = []
        output.reserveCapacity(Int(Double(input.count) * Double(kernel.up) / Double(kernel.down)) + 2)
        history.withUnsafeBufferPointer { samples in
            kernel.coefficients.withUnsafeBufferPointer { coefficients in
                // An output at position i + phase needs inputs i - halfTaps + 1 … i + halfTaps.
                while nextIndex + halfTaps < end {
                    let window = UnsafeBufferPointer(rebasing: samples[(nextIndex - halfTaps + 1 - historyStart)...])
                    output.append(kernel.interpolate(window, phase: nextPhase, coefficients: coefficients))
                    nextPhase += kernel.down
                    nextIndex += nextPhase / kernel.up
                    nextPhase %= kernel.up
                }
            }
        }
        let consumed = nextIndex - halfTaps + 1 - historyStart
        if consumed > 0 {
            history.removeFirst(min(consumed, history.count))
            historyStart += consumed
        }
        return output
    }

    /// Ends the stream: returns the outputs still held back by the look-ahead, so that
    /// `n` input samples give `ceil(n * outputRate / inputRate)` outputs in all, then
    /// resets for a new stream.
    public mutating func flush() -> [Float] {
        guard let kernel else { return [] }
        let tail = process([Float](repeating: 0, count: kernel.halfTaps))
        reset()
        return tail
    }

    /// Resamples a whole signal at once.
    public mutating func resample(_ input: [Float]) -> [Float] {
        process(input) + flush()
    }

    private mutating func reset() {
        let halfTaps = kernel?.halfTaps ?? 0
        // Silence before the first sample, so the first output sits exactly on input 0.
        history = [Float](repeating: 0, count: max(0, halfTaps - 1))
        historyStart = -(halfTaps - 1)
        nextIndex = 0
        nextPhase = 0
    }

    /// The filter coefficients, in rows of `taps` for `phases + 1` fractional positions.
    struct Kernel: Sendable {
        /// The ratio output/input is up/down in lowest terms.
        let up: Int
        let down: Int
        let phases: Int
        let halfTaps: Int
        var taps: Int { 2 * halfTaps }
        let coefficients: [Float]

        /// Taps at the lower rate on each side of an output; with the Kaiser β below they give
        /// about 70 dB of stopband attenuation over the transition from 72.5 % to 100 % of Nyquist.
        static let halfTapsAtLowRate = 16
        static let passbandFraction = 0.725
        static let beta = 6.9
        static let interpolatedPhases = 256

        init(inputRate: Int, outputRate: Int) {
            let divisor = polyphaseGCD(inputRate, outputRate)
            up = outputRate / divisor
            down = inputRate / divisor
            phases = up <= 512 ? up : Self.interpolatedPhases
            let lowRate = Double(min(inputRate, outputRate))
            // Widths in input samples: downsampling widens the filter by the ratio.
            let halfWidth = Double(Self.halfTapsAtLowRate) * Double(inputRate) / lowRate
            halfTaps = Int(halfWidth.rounded(.up))
            let cutoff = (1 + Self.passbandFraction) / 2 * (lowRate / 2) / Double(inputRate)  // cycles per input sample
            let taps = 2 * halfTaps
            let besselBeta = polyphaseBesselI0(Self.beta)
            var coefficients = [Float](repeating: 0, count: (phases + 1) * taps)
            for row in 0...phases {
                let fraction = Double(row) / Double(phases)
                var values = [Double](repeating: 0, count: taps)
                for tap in 0..<taps {
                    // Distance from the output position to this input sample.
                    let t = fraction + Double(halfTaps - 1 - tap)
                    guard abs(t) < halfWidth else { continue }
                    let x = 2 * cutoff * t
                    let sinc = x == 0 ? 1 : sin(Double.pi * x) / (Double.pi * x)
                    let ratio = t / halfWidth
                    let window = polyphaseBesselI0(Self.beta * (1 - ratio * ratio).squareRoot()) / besselBeta
                    values[tap] = 2 * cutoff * sinc * window
                }
                // Unity gain at DC for every phase, so no phase-dependent ripple on steady signals.
                let sum = values.reduce(0, +)
                for tap in 0..<taps { coefficients[row * taps + tap] = Float(values[tap] / sum) }
            }
            self.coefficients = coefficients
        }

        /// The output for an input window starting at the first tap, at fractional position `phase / up`.
        @inline(__always)
        func interpolate(_ window: UnsafeBufferPointer<Float>, phase: Int, coefficients: UnsafeBufferPointer<Float>) -> Float {
            let scaled = phase * phases
            let row = scaled / up
            let remainder = scaled % up
            let first = dot(window, coefficients, row: row)
            guard remainder != 0 else { return first }
            let weight = Float(remainder) / Float(up)
            return first + (dot(window, coefficients, row: row + 1) - first) * weight
        }

        @inline(__always)
        private func dot(_ window: UnsafeBufferPointer<Float>, _ coefficients: UnsafeBufferPointer<Float>, row: Int) -> Float {
            let taps = self.taps
            let base = row * taps
            var sum: Float = 0
            for tap in 0..<taps { sum += window[tap] * coefficients[base + tap] }
            return sum
        }
    }
}

/// Greatest common divisor of two positive integers.
func polyphaseGCD(_ a: Int, _ b: Int) -> Int {
    var (a, b) = (a, b)
    while b != 0 { (a, b) = (b, a % b) }
    return a
}

/// The modified Bessel function of the first kind, order 0, for the Kaiser window.
func polyphaseBesselI0(_ x: Double) -> Double {
    var sum = 1.0
    var term = 1.0
    let half = x / 2
    for k in 1..<50 {
        term *= (half / Double(k)) * (half / Double(k))
        sum += term
        if term < sum * 1e-17 { break }
    }
    return sum
}
