/// The floor's input chain in one value: raw PCM bytes from the publisher in, 20 ms frames
/// of 48 kHz mono ready for the Opus encoder out.
///
/// decode (s16le/f32le) → mix to mono → resample to 48 kHz → limit (−1 dBFS) → cut 960-sample frames.
/// Mixing before resampling halves the resampling work for stereo.
public struct FloorConditioner: Sendable {
    /// The rate of the frames it produces.
    public static let outputSampleRate = 48000
    /// Samples per produced frame: 20 ms at 48 kHz.
    public static let frameSize = 960
    /// Accepted input sample rates.
    public static let supportedRates = Resampler.supportedRates
    /// Accepted input channel counts.
    public static let supportedChannels = 1...8

    /// The publisher's sample rate.
    public let inputRate: Int
    /// The publisher's interleaved channel count.
    public let inputChannels: Int
    /// The publisher's sample format.
    public let format: PCMSampleFormat

    private var resampler: Resampler
    private var limiter: Limiter
    private var chunker = FrameChunker(frameSize: FloorConditioner.frameSize)

    /// Sample frames (per channel) received so far.
    public private(set) var inputFrameCount = 0
    /// Frames produced so far.
    public private(set) var outputFrameCount = 0

    /// Creates the chain for a publisher's announced format.
    ///
    /// - Throws: `AudioError` with `.invalidArgument` for a rate outside 8000–192000 Hz or a
    ///   channel count outside 1–8.
    public init(inputRate: Int, inputChannels: Int, format: PCMSampleFormat) throws {
        guard Self.supportedRates.contains(inputRate) else {
            throw AudioError(.invalidArgument, "floor sample rate \(inputRate) Hz is outside 8000–192000")
        }
        guard Self.supportedChannels.contains(inputChannels) else {
            throw AudioError(.invalidArgument, "floor channel count \(inputChannels) is outside 1–8")
        }
        self.inputRate = inputRate
        self.inputChannels = inputChannels
        self.format = format
        resampler = try Resampler(from: inputRate, to: Self.outputSampleRate)
        limiter = Limiter(sampleRate: Self.outputSampleRate)
    }

    /// Bytes in one sample frame: bytes per sample × channels.
    public var bytesPerFrame: Int { format.bytesPerSample * inputChannels }

    /// The largest gain reduction the limiter applied during the last push, in dB (0: none).
    public var gainReductionDB: Double { limiter.gainReductionDB }

    /// Samples at 48 kHz between an input sample arriving and its leaving in a frame,
    /// not counting the wait for the frame to fill: resampler look-ahead plus limiter delay.
    public var latency: Int {
        resampler.lookahead * Self.outputSampleRate / inputRate + limiter.latency
    }

    /// Processes a message of raw interleaved PCM.
    ///
    /// - Returns: the 960-sample frames completed by these bytes, oldest first (often none or one).
    /// - Throws: `AudioError` with `.invalidFrameSize` when the bytes are not a whole number of
    ///   sample frames; nothing is consumed then.
    public mutating func push(_ bytes: UnsafeRawBufferPointer) throws -> [[Float]] {
        guard bytes.count % bytesPerFrame == 0 else {
            throw AudioError(
                .invalidFrameSize,
                "floor audio message of \(bytes.count) bytes is not a whole number of \(bytesPerFrame)-byte sample frames (\(format.rawValue), \(inputChannels) channel(s)): \(bytes.count % bytesPerFrame) bytes left over"
            )
        }
        inputFrameCount += bytes.count / bytesPerFrame
        return condition(format.decode(bytes))
    }

    /// Processes a message of raw interleaved PCM; see `push(_:)` for a buffer.
    public mutating func push(_ bytes: [UInt8]) throws -> [[Float]] {
        try bytes.withUnsafeBytes { try push($0) }
    }

    /// Ends the stream: pushes out what the resampler and limiter hold back and pads the
    /// last partial frame with silence. The chain can then start a new stream.
    public mutating func finish() -> [[Float]] {
        var tail = resampler.flush()
        tail.append(contentsOf: repeatElement(0, count: limiter.latency))
        limiter.process(&tail)
        chunker.append(tail)
        var frames: [[Float]] = []
        while let frame = chunker.flush() { frames.append(frame) }
        outputFrameCount += frames.count
        return frames
    }

    private mutating func condition(_ interleaved: [Float]) -> [[Float]] {
        var mono = resampler.process(Downmixer.mono(interleaved, channels: inputChannels))
        limiter.process(&mono)
        chunker.append(mono)
        var frames: [[Float]] = []
        while let frame = chunker.nextFrame() { frames.append(frame) }
        outputFrameCount += frames.count
        return frames
    }
}
