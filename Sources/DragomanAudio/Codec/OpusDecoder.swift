internal import COpus

/// Decodes Opus packets into float PCM with libopus, with packet loss concealment.
///
/// Not `Sendable`: the decoder's state carries over from packet to packet, so one
/// task at a time uses it.
public final class OpusDecoder {
    /// Samples per second of the output, one of 8000, 12000, 16000, 24000, 48000.
    public let sampleRate: Int
    /// Interleaved channels of the output, 1 or 2.
    public let channels: Int

    private let decoder: OpaquePointer
    // Room for the longest packet Opus allows (120 ms), reused for every call.
    private var pcmBuffer: [Float]
    private let maxFrameSize: Int

    /// Creates a decoder.
    ///
    /// - Throws: `AudioError` with `.invalidArgument` for an unsupported rate or channel count.
    public init(sampleRate: Int = 48000, channels: Int = 1) throws {
        guard OpusEncoder.supportedSampleRates.contains(sampleRate) else {
            throw AudioError(.invalidArgument, "Opus decoder sample rate \(sampleRate) Hz is not one of 8000, 12000, 16000, 24000, 48000")
        }
        guard (1...2).contains(channels) else {
            throw AudioError(.invalidArgument, "Opus decoder channel count \(channels) is not 1 or 2")
        }
        var status: Int32 = OPUS_OK
        guard let decoder = opus_decoder_create(Int32(sampleRate), Int32(channels), &status), status == OPUS_OK else {
            throw AudioError.opus(status, in: "opus_decoder_create")
        }
        self.decoder = decoder
        self.sampleRate = sampleRate
        self.channels = channels
        self.maxFrameSize = sampleRate * 120 / 1000
        self.pcmBuffer = [Float](repeating: 0, count: maxFrameSize * channels)
    }

    deinit { opus_decoder_destroy(decoder) }

    /// Decodes one packet.
    ///
    /// - Returns: interleaved samples, `channels` per sample frame (960 per channel for a 20 ms packet at 48 kHz).
    /// - Throws: `AudioError` with `.invalidFrameSize` for an empty packet (use `decodeLost`),
    ///   `.opus` for a packet libopus cannot parse.
    public func decode(_ packet: [UInt8]) throws -> [Float] {
        guard !packet.isEmpty else {
            throw AudioError(.invalidFrameSize, "Opus packet is empty; call decodeLost(samples:) for a lost packet")
        }
        return try packet.withUnsafeBufferPointer { bytes in
            try run(data: bytes.baseAddress, length: Int32(bytes.count), frameSize: maxFrameSize, call: "opus_decode_float")
        }
    }

    /// Produces `samples` samples per channel of concealment for a lost packet.
    ///
    /// - Parameter samples: per channel; a multiple of 2.5 ms (120 at 48 kHz), at most 120 ms.
    /// - Throws: `AudioError` with `.invalidArgument` for any other count.
    public func decodeLost(samples: Int = 960) throws -> [Float] {
        let quantum = sampleRate / 400
        guard samples > 0, samples % quantum == 0, samples <= maxFrameSize else {
            throw AudioError(
                .invalidArgument,
                "cannot conceal \(samples) samples: need a multiple of \(quantum) (2.5 ms at \(sampleRate) Hz) up to \(maxFrameSize)"
            )
        }
        return try run(data: nil, length: 0, frameSize: samples, call: "opus_decode_float (concealment)")
    }

    /// Samples per channel a packet holds when decoded at `sampleRate`, read from its header.
    ///
    /// - Throws: `AudioError` with `.opus` for a packet whose header is invalid.
    public static func sampleCount(of packet: [UInt8], sampleRate: Int = 48000) throws -> Int {
        guard !packet.isEmpty else { throw AudioError(.invalidFrameSize, "Opus packet is empty: it has no header to read") }
        let count = packet.withUnsafeBufferPointer { opus_packet_get_nb_samples($0.baseAddress!, Int32($0.count), Int32(sampleRate)) }
        guard count >= 0 else { throw AudioError.opus(count, in: "opus_packet_get_nb_samples") }
        return Int(count)
    }

    private func run(data: UnsafePointer<UInt8>?, length: Int32, frameSize: Int, call: String) throws -> [Float] {
        let decoder = self.decoder
        let decoded = pcmBuffer.withUnsafeMutableBufferPointer { pcm in
            opus_decode_float(decoder, data, length, pcm.baseAddress!, Int32(frameSize), 0)
        }
        guard decoded >= 0 else { throw AudioError.opus(decoded, in: call) }
        return Array(pcmBuffer[..<(Int(decoded) * channels)])
    }
}

// Deliberately not Sendable: see the type's documentation.
@available(*, unavailable)
extension OpusDecoder: Sendable {}
