/// The Ogg Opus identification header (RFC 7845 §5.1), which a decoder needs
/// before the first packet: channel count, pre-skip and the original sample rate.
///
/// Only channel mapping family 0 (mono or stereo) is produced and accepted,
/// which is all Dragoman sends.
public struct OpusHead: Sendable, Equatable {
    /// Output channels, 1 or 2.
    public var channels: Int
    /// Samples at 48 kHz to drop from the start of the decoded stream (the encoder's lookahead).
    public var preSkip: Int
    /// Sample rate of the audio before encoding, for information only; 0 means unknown.
    public var inputSampleRate: Int
    /// Gain to apply on output, in Q7.8 dB.
    public var outputGain: Int16

    /// Creates a header.
    public init(channels: Int = 1, preSkip: Int, inputSampleRate: Int = 48000, outputGain: Int16 = 0) {
        self.channels = channels
        self.preSkip = preSkip
        self.inputSampleRate = inputSampleRate
        self.outputGain = outputGain
    }

    /// Parses the 19-byte header of mapping family 0.
    ///
    /// - Throws: `AudioError` with `.invalidOgg` naming what differs from RFC 7845.
    public init(parsing bytes: [UInt8]) throws {
        guard bytes.matches("OpusHead", at: 0) else {
            throw AudioError(.invalidOgg, "not an Opus identification header: expected 'OpusHead' at byte 0, found \(quotedASCII(bytes.prefix(8)))")
        }
        guard bytes.count >= 19 else {
            throw AudioError(.invalidOgg, "Opus identification header is \(bytes.count) bytes; needs at least 19")
        }
        guard bytes[8] & 0xF0 == 0 else {
            throw AudioError(.invalidOgg, "Opus identification header version \(bytes[8]) is not supported (major version must be 0)")
        }
        guard bytes[18] == 0 else {
            throw AudioError(.unsupportedFormat, "Opus channel mapping family \(bytes[18]) is not supported; only family 0 (mono or stereo)")
        }
        guard (1...2).contains(bytes[9]) else {
            throw AudioError(.invalidOgg, "Opus identification header has \(bytes[9]) channels; mapping family 0 allows 1 or 2")
        }
        channels = Int(bytes[9])
        preSkip = Int(bytes.readLE16(10))
        inputSampleRate = Int(bytes.readLE32(12))
        outputGain = Int16(bitPattern: bytes.readLE16(16))
    }

    /// The 19 header bytes.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(19)
        out.appendASCII("OpusHead")
        out.append(1)  // version
        out.append(UInt8(channels))
        out.appendLE(UInt16(clamping: preSkip))
        out.appendLE(UInt32(clamping: inputSampleRate))
        out.appendLE(UInt16(bitPattern: outputGain))
        out.append(0)  // channel mapping family 0: mono or stereo, no mapping table
        return out
    }

    /// The 19-byte identification header (RFC 7845 §5.1) for mapping family 0.
    ///
    /// Also what WebCodecs' `AudioDecoder` takes as `description`.
    /// - Parameters:
    ///   - channels: 1 or 2 (the only counts family 0 allows).
    ///   - preSkip: samples at 48 kHz to drop at the start, the encoder's `preSkip`.
    ///   - inputSampleRate: the original rate, informational.
    public static func identificationHeader(channels: Int = 1, preSkip: Int, inputSampleRate: Int = 48000) -> [UInt8] {
        precondition((1...2).contains(channels), "Opus mapping family 0 carries 1 or 2 channels, not \(channels)")
        return OpusHead(channels: channels, preSkip: preSkip, inputSampleRate: inputSampleRate).bytes
    }

    /// The comment header (RFC 7845 §5.2, "OpusTags") with a vendor string and no comments.
    public static func commentHeader(vendor: String = "Dragoman") -> [UInt8] {
        OpusTags(vendor: vendor).bytes
    }
}
