internal import CSpeexDSP
import Foundation

/// Converts a mono stream from one sample rate to another, block by block.
///
/// Backed by speexdsp's resampler (a Kaiser-windowed sinc, exact rational ratios), at the highest
/// of its quality levels 0–10 whose filter looks no more than `lookaheadBudget` (2 ms) of input
/// ahead: quality 8 at 44.1 kHz (1.8 ms; flat to 20 kHz), 7 at 32 kHz, 4 at 16 kHz, 2 at 8 kHz.
/// That look-ahead is all the latency it adds; the output is time-aligned with the input
/// (speexdsp's leading zeros are skipped). Equal rates pass samples through untouched.
/// `docs/architecture.md` ("Libraries or our own code") has the measurements behind the choice.
///
/// Copies share one stream: speexdsp cannot clone a resampler's state, so a copy is a second
/// handle on the same stream, not a new one. Give each stream its own `Resampler`.
public struct Resampler: Sendable {
    /// Input samples per second.
    public let inputRate: Int
    /// Output samples per second.
    public let outputRate: Int
    /// The speexdsp quality level in use (0–10; 0 for the identity).
    public let quality: Int

    /// The sample rates accepted, inclusive.
    public static let supportedRates = 8000...192_000
    /// The most input the filter may look ahead, in seconds: the latency budget of a live stream.
    public static let lookaheadBudget = 0.002

    private let stream: SpeexStream?  // nil: identity

    /// Creates a resampler.
    ///
    /// - Throws: `AudioError` with `.invalidArgument` for a rate outside 8000–192000, or when
    ///   speexdsp refuses the rates (its error is in the message).
    public init(from inputRate: Int, to outputRate: Int) throws {
        for (name, rate) in [("input", inputRate), ("output", outputRate)] where !Self.supportedRates.contains(rate) {
            throw AudioError(.invalidArgument, "resampler \(name) rate \(rate) Hz is outside 8000–192000")
        }
        self.inputRate = inputRate
        self.outputRate = outputRate
        if inputRate == outputRate {
            quality = 0
            stream = nil
        } else {
            let budget = Int(Self.lookaheadBudget * Double(inputRate))
            quality = Self.qualities.indices.last { Self.lookahead(quality: $0, from: inputRate, to: outputRate) <= budget } ?? 0
            stream = try SpeexStream(from: inputRate, to: outputRate, quality: quality)
        }
    }

    /// Whether the rates are equal and samples pass through unchanged.
    public var isIdentity: Bool { stream == nil }

    /// Input samples the filter needs beyond an output's position before it can compute it:
    /// the only delay the resampler adds to a live stream.
    public var lookahead: Int { stream?.lookahead ?? 0 }

    /// Resamples the next block; returns every output sample that the input so far determines.
    public mutating func process(_ input: [Float]) -> [Float] {
        guard let stream else { return input }
        return stream.process(input)
    }

    /// Ends the stream: returns the outputs still held back by the look-ahead, so that
    /// `n` input samples give `ceil(n * outputRate / inputRate)` outputs in all, then
    /// resets for a new stream.
    public mutating func flush() -> [Float] {
        stream?.flush() ?? []
    }

    /// Resamples a whole signal at once.
    public mutating func resample(_ input: [Float]) -> [Float] {
        process(input) + flush()
    }

    /// speexdsp's base filter lengths per quality level (its `quality_map`), in taps at the lower rate.
    static let qualities = [8, 16, 32, 48, 64, 80, 96, 128, 160, 192, 256]

    /// The look-ahead, in input samples, that speexdsp's filter has at `quality`: half its length,
    /// which grows by the ratio when downsampling and is rounded up to a multiple of 8.
    static func lookahead(quality: Int, from inputRate: Int, to outputRate: Int) -> Int {
        let divisor = gcd(inputRate, outputRate)
        let (input, output) = (inputRate / divisor, outputRate / divisor)
        var length = qualities[quality]
        if input > output {
            length = length * input / output
            length = ((length - 1) & ~7) + 8
        }
        return length / 2
    }
}

/// One speexdsp resampler and the sample counts that make `flush()` exact.
///
/// `@unchecked Sendable` is safe: the C state and the counts are only touched while `lock` is
/// held, so copies of a `Resampler` used from different tasks serialize instead of racing.
private final class SpeexStream: @unchecked Sendable {
    private let state: OpaquePointer
    private let lock = NSLock()
    private let inputRate: Int
    private let outputRate: Int
    let lookahead: Int
    private var inputCount = 0
    private var outputCount = 0

    init(from inputRate: Int, to outputRate: Int, quality: Int) throws {
        var error: Int32 = 0
        guard let state = speex_resampler_init(1, UInt32(inputRate), UInt32(outputRate), Int32(quality), &error) else {
            let reason = String(cString: speex_resampler_strerror(error))
            throw AudioError(.invalidArgument, "speexdsp cannot resample \(inputRate) Hz to \(outputRate) Hz at quality \(quality): \(reason)")
        }
        self.state = state
        self.inputRate = inputRate
        self.outputRate = outputRate
        lookahead = Int(speex_resampler_get_input_latency(state))
        speex_resampler_skip_zeros(state)
    }

    deinit { speex_resampler_destroy(state) }

    func process(_ input: [Float]) -> [Float] {
        lock.withLock { run(input) }
    }

    func flush() -> [Float] {
        lock.withLock {
            let total = (inputCount * outputRate + inputRate - 1) / inputRate
            let owed = total - outputCount
            // Silence beyond the look-ahead brings out every output the real input determines.
            var tail = run([Float](repeating: 0, count: lookahead + 1))
            if tail.count > owed {
                tail.removeLast(tail.count - owed)
            } else {
                tail += repeatElement(0, count: owed - tail.count)
            }
            speex_resampler_reset_mem(state)
            speex_resampler_skip_zeros(state)
            inputCount = 0
            outputCount = 0
            return tail
        }
    }

    /// Feeds all of `input`; the lock must be held.
    private func run(_ input: [Float]) -> [Float] {
        guard !input.isEmpty else { return [] }
        var output = [Float](repeating: 0, count: input.count * outputRate / inputRate + 16)
        var consumed = 0
        var produced = 0
        input.withUnsafeBufferPointer { source in
            while consumed < input.count {
                if produced == output.count { output += repeatElement(0, count: 256) }
                var inLength = UInt32(input.count - consumed)
                var outLength = UInt32(output.count - produced)
                output.withUnsafeMutableBufferPointer { destination in
                    // Only RESAMPLER_ERR_SUCCESS is possible with a valid state and these buffers.
                    _ = speex_resampler_process_float(
                        state,
                        0,
                        source.baseAddress! + consumed,
                        &inLength,
                        destination.baseAddress! + produced,
                        &outLength
                    )
                }
                consumed += Int(inLength)
                produced += Int(outLength)
                // No progress means the output is full (speexdsp keeps back nothing else): make room.
                if inLength == 0 && outLength == 0 { output += repeatElement(0, count: 256) }
            }
        }
        output.removeLast(output.count - produced)
        inputCount += input.count
        outputCount += produced
        return output
    }
}

/// Greatest common divisor of two positive integers.
func gcd(_ a: Int, _ b: Int) -> Int {
    var (a, b) = (a, b)
    while b != 0 { (a, b) = (b, a % b) }
    return a
}
