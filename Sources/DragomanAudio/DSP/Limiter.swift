import Foundation

/// A look-ahead peak limiter: protects listeners' ears (acoustic shock) by keeping every
/// output sample within a ceiling, while changing the gain smoothly.
///
/// How: each sample's required gain (ceiling / |sample|, at most 1) is held at its minimum
/// over the look-ahead window, then averaged over the attack time, so the gain ramps down
/// before a peak and reaches the required value exactly when the (delayed) peak is output;
/// it then recovers with an exponential release. A final hard clamp catches rounding.
/// Audio under the ceiling passes with gain 1, delayed by `latency` samples.
public struct Limiter: Sendable {
    /// Samples per second.
    public let sampleRate: Int
    /// The ceiling in dBFS (0 dBFS = full scale, a sample of ±1).
    public let ceilingDBFS: Double
    /// The ceiling as a linear amplitude.
    public let ceiling: Float
    /// Delay from input to output in samples, the look-ahead.
    public let latency: Int
    /// The largest gain reduction applied during the last `process` call, in dB (0 when none, positive otherwise).
    public private(set) var gainReductionDB: Double = 0

    private let holdLength: Int
    private let attackLength: Int
    private let releaseCoefficient: Float

    private var sampleIndex = 0
    private var gain: Float = 1
    // Sliding minimum of the required gain over `holdLength` samples: a monotonic deque in a ring.
    private var minIndices: [Int]
    private var minValues: [Float]
    private var minHead = 0
    private var minCount = 0
    // Moving average over `attackLength` samples.
    private var averageRing: [Float]
    private var averagePosition = 0
    private var averageSum: Double
    // The look-ahead delay line.
    private var delayLine: [Float]
    private var delayPosition = 0

    /// Creates a limiter.
    ///
    /// - Parameters:
    ///   - ceilingDBFS: no output sample exceeds this level (at most 0).
    ///   - attackMs: how long the gain takes to ramp down; capped at the look-ahead.
    ///   - releaseMs: time constant of the gain's recovery.
    ///   - lookaheadMs: how far ahead peaks are seen, which is also the added delay.
    public init(
        sampleRate: Int = 48000,
        ceilingDBFS: Double = -1,
        attackMs: Double = 1,
        releaseMs: Double = 100,
        lookaheadMs: Double = 1.5
    ) {
        precondition(sampleRate > 0, "sample rate must be positive")
        precondition(ceilingDBFS <= 0, "the ceiling must be at or below full scale")
        self.sampleRate = sampleRate
        self.ceilingDBFS = ceilingDBFS
        self.ceiling = Float(AudioAnalysis.amplitude(dB: ceilingDBFS))
        let rate = Double(sampleRate)
        holdLength = max(1, Int((lookaheadMs * rate / 1000).rounded()))
        attackLength = min(holdLength, max(1, Int((attackMs * rate / 1000).rounded())))
        latency = holdLength - 1
        releaseCoefficient = releaseMs > 0 ? Float(1 - exp(-1000 / (releaseMs * rate))) : 1
        minIndices = [Int](repeating: 0, count: holdLength + 1)
        minValues = [Float](repeating: 1, count: holdLength + 1)
        averageRing = [Float](repeating: 1, count: attackLength)
        averageSum = Double(attackLength)
        delayLine = [Float](repeating: 0, count: latency)
    }

    /// Limits a block in place (output is the input delayed by `latency` samples).
    ///
    /// Non-finite input samples (NaN, infinity) are replaced by silence.
    public mutating func process(_ samples: inout [Float]) {
        var smallestGain: Float = 1
        let capacity = minValues.count
        for index in samples.indices {
            var x = samples[index]
            if !x.isFinite { x = 0 }
            let magnitude = abs(x)
            let required = magnitude > ceiling ? ceiling / magnitude : 1

            // Sliding minimum: drop entries that can never be the minimum again, and expired ones.
            while minCount > 0 {
                let back = (minHead + minCount - 1) % capacity
                guard minValues[back] >= required else { break }
                minCount -= 1
            }
            let slot = (minHead + minCount) % capacity
            minIndices[slot] = sampleIndex
            minValues[slot] = required
            minCount += 1
            while minIndices[minHead] <= sampleIndex - holdLength {
                minHead = (minHead + 1) % capacity
                minCount -= 1
            }
            let held = minValues[minHead]

            // Moving average of the held gain; re-summed on each wrap so rounding cannot drift.
            averageSum += Double(held) - Double(averageRing[averagePosition])
            averageRing[averagePosition] = held
            averagePosition += 1
            if averagePosition == attackLength {
                averagePosition = 0
                averageSum = averageRing.reduce(0) { $0 + Double($1) }
            }
            let target = Float(averageSum / Double(attackLength))

            gain = target < gain ? target : gain + (target - gain) * releaseCoefficient
            smallestGain = min(smallestGain, gain)

            var delayed = x
            if latency > 0 {
                delayed = delayLine[delayPosition]
                delayLine[delayPosition] = x
                delayPosition = delayPosition + 1 == latency ? 0 : delayPosition + 1
            }
            samples[index] = min(max(delayed * gain, -ceiling), ceiling)
            sampleIndex += 1
        }
        gainReductionDB = smallestGain < 1 ? -AudioAnalysis.decibels(Double(smallestGain)) : 0
    }

    /// Limits a block, returning the result; see `process(_:)`.
    public mutating func processed(_ samples: [Float]) -> [Float] {
        var copy = samples
        process(&copy)
        return copy
    }
}
