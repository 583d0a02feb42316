internal import COpus

/// Encodes 20 ms frames of float PCM into Opus packets with libopus.
///
/// Full band (up to 20 kHz), variable bitrate. Not `Sendable`: a libopus encoder
/// carries state from frame to frame and must be used by one task at a time;
/// the server keeps one per stream inside the task that feeds it.
public final class OpusEncoder {
    /// Samples per second of the input, one of 8000, 12000, 16000, 24000, 48000.
    public let sampleRate: Int
    /// Interleaved channels of the input, 1 or 2.
    public let channels: Int
    /// Target bitrate in bits per second.
    public let bitrate: Int
    /// Samples per channel in one 20 ms frame (960 at 48 kHz).
    public let frameSize: Int

    private let encoder: OpaquePointer
    // Reused for every packet so that encoding allocates only the returned array.
    private var packetBuffer: [UInt8]

    /// Sample rates libopus accepts.
    public static let supportedSampleRates: Set<Int> = [8000, 12000, 16000, 24000, 48000]

    /// Creates an encoder.
    ///
    /// - Parameters:
    ///   - sampleRate: 8000, 12000, 16000, 24000 or 48000.
    ///   - channels: 1 or 2.
    ///   - bitrate: bits per second, 6000–510000.
    ///   - complexity: 0 (fastest) … 10 (best).
    ///   - application: the libopus coding mode.
    /// - Throws: `AudioError` with `.invalidArgument` for an out-of-range argument, `.opus` if libopus refuses.
    public init(
        sampleRate: Int = 48000,
        channels: Int = 1,
        bitrate: Int = 32000,
        complexity: Int = 5,
        application: OpusApplication = .audio
    ) throws {
        guard Self.supportedSampleRates.contains(sampleRate) else {
            throw AudioError(.invalidArgument, "Opus encoder sample rate \(sampleRate) Hz is not one of 8000, 12000, 16000, 24000, 48000")
        }
        guard (1...2).contains(channels) else {
            throw AudioError(.invalidArgument, "Opus encoder channel count \(channels) is not 1 or 2")
        }
        guard (6000...510_000).contains(bitrate) else {
            throw AudioError(.invalidArgument, "Opus bitrate \(bitrate) bit/s is outside 6000–510000")
        }
        guard (0...10).contains(complexity) else {
            throw AudioError(.invalidArgument, "Opus complexity \(complexity) is outside 0–10")
        }
        var status: Int32 = OPUS_OK
        guard let encoder = opus_encoder_create(Int32(sampleRate), Int32(channels), application.opusValue, &status),
            status == OPUS_OK
        else {
            throw AudioError.opus(status, in: "opus_encoder_create")
        }
        self.encoder = encoder
        self.sampleRate = sampleRate
        self.channels = channels
        self.bitrate = bitrate
        self.frameSize = sampleRate / 50
        // 1275 bytes is the largest 20 ms Opus frame; the margin costs nothing.
        self.packetBuffer = [UInt8](repeating: 0, count: 1500)

        let settings: [(String, Int32)] = [
            ("OPUS_SET_BITRATE", dragoman_opus_set_bitrate(encoder, Int32(bitrate))),
            ("OPUS_SET_COMPLEXITY", dragoman_opus_set_complexity(encoder, Int32(complexity))),
            ("OPUS_SET_MAX_BANDWIDTH", dragoman_opus_set_max_bandwidth(encoder, OPUS_BANDWIDTH_FULLBAND)),
        ]
        for (name, result) in settings where result != OPUS_OK {
            opus_encoder_destroy(encoder)
            throw AudioError.opus(result, in: name)
        }
    }

    deinit { opus_encoder_destroy(encoder) }

    /// Samples per channel, at `sampleRate`, that the encoder delays its output by.
    ///
    /// A decoder drops this many samples at the start (Ogg Opus calls it pre-skip).
    public var lookahead: Int {
        var value: Int32 = 0
        _ = dragoman_opus_get_lookahead(encoder, &value)
        return Int(value)
    }

    /// `lookahead` expressed at 48 kHz, as the Ogg Opus pre-skip field wants it.
    public var preSkip: Int { lookahead * (48000 / sampleRate) }

    /// The range coder's final state after the last packet (`OPUS_GET_FINAL_RANGE`);
    /// a conformance check compares it with a decoder's.
    public var finalRange: UInt32 {
        var value: UInt32 = 0
        _ = dragoman_opus_get_final_range(encoder, &value)
        return value
    }

    /// Encodes one 20 ms frame.
    ///
    /// - Parameter frame: exactly `frameSize * channels` interleaved samples, nominally in -1…1.
    /// - Returns: one Opus packet.
    /// - Throws: `AudioError` with `.invalidFrameSize` for a wrong sample count, `.opus` if libopus fails.
    public func encode(_ frame: [Float]) throws -> [UInt8] {
        try frame.withUnsafeBufferPointer { try encode($0) }
    }

    /// Encodes one 20 ms frame from memory the caller owns; see `encode(_:)`.
    public func encode(_ frame: UnsafeBufferPointer<Float>) throws -> [UInt8] {
        guard frame.count == frameSize * channels else {
            throw AudioError(
                .invalidFrameSize,
                "Opus frame has \(frame.count) samples; a 20 ms frame at \(sampleRate) Hz with \(channels) channel(s) needs exactly \(frameSize * channels)"
            )
        }
        let encoder = self.encoder
        let frameSize = Int32(self.frameSize)
        let length = packetBuffer.withUnsafeMutableBufferPointer { out in
            // Both buffers are non-empty here (checked above; allocated in init), so baseAddress exists.
            opus_encode_float(encoder, frame.baseAddress!, frameSize, out.baseAddress!, Int32(out.count))
        }
        guard length > 0 else { throw AudioError.opus(length, in: "opus_encode_float") }
        return Array(packetBuffer[..<Int(length)])
    }
}

// Deliberately not Sendable: see the type's documentation.
@available(*, unavailable)
extension OpusEncoder: Sendable {}
