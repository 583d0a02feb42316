public import Foundation

/// Reads and writes RIFF/WAVE files.
///
/// Reads PCM integers of 8 (unsigned), 16, 24 and 32 bits and IEEE floats of 32 and 64 bits,
/// plain or as WAVE_FORMAT_EXTENSIBLE, any channel count, 8–192 kHz. Unknown chunks
/// (LIST, bext, cue…) are skipped. A `data` chunk shorter than declared, as recorders
/// that were stopped abruptly or that stream to a pipe leave behind, is read as far as it goes; one declared empty
/// in a header that was never filled in (a WAV streamed to a pipe) runs to the end of the file.
public enum WAVFile {
    /// Reads a WAV file.
    ///
    /// - Throws: `AudioError` with `.io` when the file cannot be read, else as `decode(_:)`.
    public static func read(contentsOf url: URL) throws -> PCMAudio {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw AudioError(.io, "cannot read WAV file \(url.path): \(error.localizedDescription)")
        }
        return try decode(data)
    }

    /// Decodes the bytes of a WAV file.
    public static func decode(_ data: Data) throws -> PCMAudio {
        try decode([UInt8](data))
    }

    /// Decodes the bytes of a WAV file.
    ///
    /// - Throws: `AudioError` with `.notWAV` (not RIFF/WAVE), `.truncated` (ends inside a header),
    ///   `.missingChunk` (no `fmt ` or `data` chunk), `.unsupportedFormat` (compressed or odd layouts).
    public static func decode(_ bytes: [UInt8]) throws -> PCMAudio {
        guard !bytes.isEmpty else {
            throw AudioError(.notWAV, "not a WAV file: it is empty (0 bytes)")
        }
        guard bytes.matches("RIFF", at: 0) else {
            if bytes.matches("RF64", at: 0) {
                throw AudioError(.unsupportedFormat, "RF64 (WAV over 4 GiB) files are not supported; found 'RF64' at byte 0")
            }
            throw AudioError(.notWAV, "not a WAV file: expected 'RIFF' at byte 0, found \(quotedASCII(bytes.prefix(4)))")
        }
        guard bytes.count >= 12 else {
            throw AudioError(.truncated, "WAV file truncated: \(bytes.count) bytes, the RIFF header alone needs 12")
        }
        guard bytes.matches("WAVE", at: 8) else {
            throw AudioError(.notWAV, "not a WAV file: RIFF form type at byte 8 is \(quotedASCII(bytes[8..<12])), expected 'WAVE'")
        }

        var format: Format?
        var dataRange: Range<Int>?
        var offset = 12
        // Walk the chunks; stop at the end or where a chunk header no longer fits.
        while offset + 8 <= bytes.count {
            let declared = Int(bytes.readLE32(offset + 4))
            let bodyStart = offset + 8
            let bodyEnd = min(bodyStart + declared, bytes.count)
            if bytes.matches("fmt ", at: offset) {
                format = try Format(parsing: bytes[bodyStart..<bodyEnd], at: bodyStart)
            } else if bytes.matches("data", at: offset) {
                // A data chunk running past the end of the file is taken as far as it goes. One declared empty in a
                // RIFF that says it ends there, with bytes after it, was streamed to a pipe by a writer that could
                // not go back to fill in the sizes (Festival's `text2wave -o -`): it runs to the end.
                let streamed = declared == 0 && 8 + Int(bytes.readLE32(4)) <= bodyStart && bytes.count > bodyStart
                dataRange = bodyStart..<(streamed ? bytes.count : bodyEnd)
                if streamed { break }
                if format != nil && bodyEnd == bytes.count { break }
            }
            // Chunks are padded to an even length.
            offset = bodyStart + declared + (declared & 1)
        }
        if offset < bytes.count && offset + 8 > bytes.count && (format == nil || dataRange == nil) {
            throw AudioError(.truncated, "WAV file truncated: it ends at byte \(bytes.count), inside the chunk header at byte \(offset)")
        }
        // A file shorter than its RIFF header says was cut off, which explains a missing chunk better.
        let riffEnd = 8 + Int(bytes.readLE32(4))
        let missingCode: AudioError.Code = riffEnd > bytes.count ? .truncated : .missingChunk
        let cutOff = riffEnd > bytes.count ? " (the file is truncated: \(bytes.count) bytes of the \(riffEnd) its RIFF header declares)" : ""
        guard let format else {
            throw AudioError(missingCode, "WAV file has no 'fmt ' chunk, so its sample format is unknown\(cutOff)")
        }
        guard let dataRange else {
            throw AudioError(missingCode, "WAV file has no 'data' chunk: it holds no audio\(cutOff)")
        }
        let frameBytes = format.blockAlign
        let whole = dataRange.count / frameBytes * frameBytes
        let samples = bytes.withUnsafeBytes { raw in
            format.decode(UnsafeRawBufferPointer(rebasing: raw[dataRange.lowerBound..<(dataRange.lowerBound + whole)]))
        }
        return PCMAudio(sampleRate: format.sampleRate, channels: format.channels, samples: samples)
    }

    /// The audio as a 16-bit PCM WAV file (samples clamped to -1…1).
    public static func encode(_ audio: PCMAudio) -> [UInt8] {
        var bytes = header(sampleRate: audio.sampleRate, channels: audio.channels, dataBytes: UInt32(clamping: audio.samples.count * 2))
        bytes += PCMEncoding.s16le(audio.samples)
        return bytes
    }

    /// Writes the audio to a 16-bit PCM WAV file, replacing any file there.
    ///
    /// - Throws: `AudioError` with `.io` when the file cannot be written.
    public static func write(_ audio: PCMAudio, to url: URL) throws {
        do {
            try Data(encode(audio)).write(to: url)
        } catch {
            throw AudioError(.io, "cannot write WAV file \(url.path): \(error.localizedDescription)")
        }
    }

    /// The 44-byte header of a 16-bit PCM WAV file; `dataBytes` 0xFFFFFFFF means "unknown, read to the end".
    static func header(sampleRate: Int, channels: Int, dataBytes: UInt32) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(44)
        bytes.appendASCII("RIFF")
        bytes.appendLE(dataBytes == .max ? UInt32.max : dataBytes &+ 36)
        bytes.appendASCII("WAVE")
        bytes.appendASCII("fmt ")
        bytes.appendLE(UInt32(16))
        bytes.appendLE(UInt16(1))  // PCM
        bytes.appendLE(UInt16(channels))
        bytes.appendLE(UInt32(sampleRate))
        bytes.appendLE(UInt32(sampleRate * channels * 2))  // bytes per second
        bytes.appendLE(UInt16(channels * 2))  // block align
        bytes.appendLE(UInt16(16))
        bytes.appendASCII("data")
        bytes.appendLE(dataBytes)
        return bytes
    }

    /// The layout a `fmt ` chunk describes.
    struct Format {
        enum Encoding { case integer, float }
        var encoding: Encoding
        var channels: Int
        var sampleRate: Int
        var bitsPerSample: Int
        var blockAlign: Int

        init(parsing chunk: ArraySlice<UInt8>, at position: Int) throws {
            guard chunk.count >= 16 else {
                throw AudioError(.truncated, "WAV 'fmt ' chunk at byte \(position - 8) has \(chunk.count) bytes; needs at least 16")
            }
            let base = chunk.startIndex
            var tag = chunk.readLE16(base)
            channels = Int(chunk.readLE16(base + 2))
            sampleRate = Int(chunk.readLE32(base + 4))
            blockAlign = Int(chunk.readLE16(base + 12))
            bitsPerSample = Int(chunk.readLE16(base + 14))
            if tag == 0xFFFE {
                // WAVE_FORMAT_EXTENSIBLE: the real format is the first two bytes of the sub-format GUID.
                guard chunk.count >= 40 else {
                    throw AudioError(.truncated, "WAV 'fmt ' chunk says WAVE_FORMAT_EXTENSIBLE but has \(chunk.count) bytes; needs 40")
                }
                tag = chunk.readLE16(base + 24)
                let guidTail: [UInt8] = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71]
                guard chunk[(base + 26)..<(base + 40)].elementsEqual(guidTail) else {
                    throw AudioError(
                        .unsupportedFormat,
                        "WAV WAVE_FORMAT_EXTENSIBLE sub-format is not a standard KSDATAFORMAT GUID; only PCM and IEEE float are supported"
                    )
                }
            }
            switch tag {
            case 1: encoding = .integer
            case 3: encoding = .float
            default:
                throw AudioError(
                    .unsupportedFormat,
                    "WAV encoding \(Self.name(ofTag: tag)) is not supported; only PCM integer (format 1) and IEEE float (format 3) are"
                )
            }
            let validBits: Set<Int> = encoding == .integer ? [8, 16, 24, 32] : [32, 64]
            guard validBits.contains(bitsPerSample) else {
                throw AudioError(
                    .unsupportedFormat,
                    "WAV \(encoding == .integer ? "PCM" : "float") with \(bitsPerSample) bits per sample is not supported; expected \(validBits.sorted().map(String.init).joined(separator: ", "))"
                )
            }
            guard (1...64).contains(channels) else {
                throw AudioError(.unsupportedFormat, "WAV file has \(channels) channels; expected 1–64")
            }
            guard (8000...192_000).contains(sampleRate) else {
                throw AudioError(.unsupportedFormat, "WAV sample rate \(sampleRate) Hz is outside 8000–192000")
            }
            // Trust the sample size over the block align, which some writers get wrong.
            blockAlign = channels * bitsPerSample / 8
        }

        func decode(_ bytes: UnsafeRawBufferPointer) -> [Float] {
            let width = bitsPerSample / 8
            let count = bytes.count / width
            return [Float](unsafeUninitializedCapacity: count) { out, initialized in
                switch (encoding, width) {
                case (.integer, 1):
                    for index in 0..<count { out[index] = (Float(bytes[index]) - 128) * (1 / 128) }
                case (.integer, 2):
                    for index in 0..<count {
                        out[index] = Float(Int16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * index, as: Int16.self))) * (1 / 32768)
                    }
                case (.integer, 3):
                    for index in 0..<count {
                        let low = UInt32(bytes[3 * index]) | UInt32(bytes[3 * index + 1]) << 8 | UInt32(bytes[3 * index + 2]) << 16
                        // Shift the 24-bit value to the top so that the sign extends.
                        out[index] = Float(Int32(bitPattern: low << 8) >> 8) * (1 / 8_388_608)
                    }
                case (.integer, _):
                    for index in 0..<count {
                        out[index] = Float(Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * index, as: Int32.self))) * (1 / 2_147_483_648)
                    }
                case (.float, 4):
                    for index in 0..<count {
                        out[index] = Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * index, as: UInt32.self)))
                    }
                case (.float, _):
                    for index in 0..<count {
                        out[index] = Float(Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 * index, as: UInt64.self))))
                    }
                }
                initialized = count
            }
        }

        static func name(ofTag tag: UInt16) -> String {
            let names: [UInt16: String] = [
                0x0002: "Microsoft ADPCM", 0x0006: "A-law", 0x0007: "µ-law", 0x0011: "IMA ADPCM",
                0x0031: "GSM 6.10", 0x0050: "MPEG", 0x0055: "MPEG Layer 3", 0x00FF: "AAC", 0x2000: "AC-3", 0xF1AC: "FLAC",
            ]
            let digits = String(tag, radix: 16, uppercase: true)
            let hex = "0x" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
            return names[tag].map { "\(hex) (\($0))" } ?? hex
        }
    }
}
