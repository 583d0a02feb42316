import DragomanAudio
import Foundation
import Testing

/// Builds a WAV file by hand, chunk by chunk, so the tests do not rely on the writer under test.
struct WAVBuilder {
    var chunks: [(id: String, body: [UInt8])] = []
    var riffSize: UInt32?

    static func fmt(tag: UInt16, channels: Int, rate: Int, bits: Int) -> [UInt8] {
        let align = channels * bits / 8
        return le16(tag) + le16(UInt16(channels)) + le32(UInt32(rate)) + le32(UInt32(rate * align)) + le16(UInt16(align)) + le16(UInt16(bits))
    }

    static func extensibleFmt(subFormat: UInt16, channels: Int, rate: Int, bits: Int) -> [UInt8] {
        fmt(tag: 0xFFFE, channels: channels, rate: rate, bits: bits) + le16(22) + le16(UInt16(bits)) + le32(channels == 2 ? 3 : 4)
            + le16(subFormat) + [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71]
    }

    var bytes: [UInt8] {
        var body = Array("WAVE".utf8)
        for chunk in chunks {
            body += Array(chunk.id.utf8) + le32(UInt32(chunk.body.count)) + chunk.body
            if chunk.body.count % 2 == 1 { body.append(0) }
        }
        return Array("RIFF".utf8) + le32(riffSize ?? UInt32(body.count)) + body
    }
}

func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }
func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(value >> (8 * UInt32($0)) & 0xFF) } }

@Suite("WAV files")
struct WAVFileTests {
    static let tone = AudioAnalysis.sine(frequency: 441, duration: 0.1, sampleRate: 44100, amplitude: 0.8)

    static func interleavedStereo() -> [Float] {
        tone.flatMap { [$0, -$0 / 2] }
    }

    @Test func roundTripThroughEncodeKeepsSamplesWithin16BitPrecision() throws {
        let audio = PCMAudio(sampleRate: 44100, channels: 2, samples: Self.interleavedStereo())
        let decoded = try WAVFile.decode(WAVFile.encode(audio))
        #expect(decoded.sampleRate == 44100)
        #expect(decoded.channels == 2)
        #expect(decoded.frameCount == 4410)
        #expect(abs(decoded.duration - 0.1) < 1e-9)
        #expect(zip(decoded.samples, audio.samples).allSatisfy { abs($0 - $1) <= 0.5 / 32768 + 1e-7 })
    }

    @Test func reads16BitStereoAt44100SkippingUnknownChunks() throws {
        var wav = WAVBuilder()
        wav.chunks.append(("fmt ", WAVBuilder.fmt(tag: 1, channels: 2, rate: 44100, bits: 16)))
        wav.chunks.append(("LIST", Array("INFOISFT\u{5}\0\0\0Lavf\0".utf8)))  // odd length: padded
        wav.chunks.append(("data", le16(0x7FFF) + le16(0x8000) + le16(0x4000) + le16(0xC000)))
        wav.chunks.append(("id3 ", [1, 2, 3]))
        let audio = try WAVFile.decode(wav.bytes)
        #expect(audio.sampleRate == 44100 && audio.channels == 2)
        #expect(audio.samples == [32767 / 32768, -1, 0.5, -0.5])
    }

    @Test func reads24BitIntegers() throws {
        var wav = WAVBuilder()
        wav.chunks.append(("fmt ", WAVBuilder.fmt(tag: 1, channels: 1, rate: 96000, bits: 24)))
        wav.chunks.append(("data", [0xFF, 0xFF, 0x7F, 0x00, 0x00, 0x80, 0x01, 0x00, 0x00, 0x00, 0x00, 0xC0]))
        let audio = try WAVFile.decode(wav.bytes)
        #expect(audio.sampleRate == 96000)
        #expect(audio.samples == [Float(8_388_607) / 8_388_608, -1, 1 / 8_388_608, -0.5])
    }

    @Test func reads32BitFloatPlainAndExtensible() throws {
        let values: [Float] = [0.25, -0.75, 1, -1, 0.125, 0]
        let data = values.flatMap { le32($0.bitPattern) }
        for fmt in [
            WAVBuilder.fmt(tag: 3, channels: 2, rate: 44100, bits: 32),
            WAVBuilder.extensibleFmt(subFormat: 3, channels: 2, rate: 44100, bits: 32),
        ] {
            var wav = WAVBuilder()
            wav.chunks = [("fmt ", fmt), ("fact", le32(3)), ("data", data)]
            let audio = try WAVFile.decode(wav.bytes)
            #expect(audio.channels == 2 && audio.frameCount == 3)
            #expect(audio.samples == values)
        }
    }

    @Test func readsExtensiblePCM8And32BitAndManyChannels() throws {
        var eight = WAVBuilder()
        eight.chunks = [("fmt ", WAVBuilder.fmt(tag: 1, channels: 1, rate: 8000, bits: 8)), ("data", [0x80, 0xFF, 0x00, 0xC0])]
        #expect(try WAVFile.decode(eight.bytes).samples == [0, 127 / 128, -1, 0.5])

        var wide = WAVBuilder()
        wide.chunks = [
            ("fmt ", WAVBuilder.extensibleFmt(subFormat: 1, channels: 6, rate: 48000, bits: 32)),
            ("data", (0..<12).flatMap { le32(UInt32(bitPattern: Int32($0) << 28)) }),
        ]
        let audio = try WAVFile.decode(wide.bytes)
        #expect(audio.channels == 6 && audio.frameCount == 2)
        #expect(audio.samples[1] == 0.125 && audio.samples[8] == -1)
        #expect(audio.mixedToMono().samples.count == 2)
    }

    @Test func shortDataChunkIsReadAsFarAsItGoes() throws {
        var wav = WAVBuilder()
        wav.chunks = [("fmt ", WAVBuilder.fmt(tag: 1, channels: 2, rate: 44100, bits: 16))]
        let full = WAVFile.encode(PCMAudio(sampleRate: 44100, channels: 2, samples: Self.interleavedStereo()))
        // Declared size of the full tone, but only 1001 bytes present: 250 whole frames (one byte of a 251st).
        let bytes = Array(full.prefix(44 + 1001))
        let audio = try WAVFile.decode(bytes)
        #expect(audio.frameCount == 250)

        // Streamed files declare 0xFFFFFFFF; they are read to the end.
        var streamed = full
        streamed.replaceSubrange(4..<8, with: [0xFF, 0xFF, 0xFF, 0xFF])
        streamed.replaceSubrange(40..<44, with: [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(try WAVFile.decode(streamed).frameCount == 4410)

        // Festival's text2wave to a pipe leaves the header as for no samples (RIFF 36, data 0): read to the end.
        var piped = full
        piped.replaceSubrange(4..<8, with: [36, 0, 0, 0])
        piped.replaceSubrange(40..<44, with: [0, 0, 0, 0])
        #expect(try WAVFile.decode(piped).frameCount == 4410)
        // A truly empty data chunk in a header that says so stays empty.
        #expect(try WAVFile.decode(Array(piped.prefix(44))).frameCount == 0)
    }

    @Test func notAWAVFileIsRefusedNamingTheProblem() throws {
        let cases: [(bytes: [UInt8], code: AudioError.Code, text: String)] = [
            ([], .notWAV, "empty"),
            ([UInt8].random(count: 1000, seed: 3), .notWAV, "expected 'RIFF' at byte 0"),
            (
                Array("ID3".utf8) + [3, 0, 0, 0, 0, 0x21, 0x76] + [UInt8](repeating: 0xFF, count: 100), .notWAV,
                "expected 'RIFF' at byte 0, found 'ID3\\u{3}'"
            ),
            ([0xFF, 0xFB, 0x90, 0x64] + [UInt8](repeating: 0, count: 100), .notWAV, "found '\\u{ff}\\u{fb}\\u{90}d'"),
            (Array("RIFF".utf8) + le32(100) + Array("AVI ".utf8), .notWAV, "expected 'WAVE'"),
            (Array("RIFF".utf8) + le32(100) + Array("WA".utf8), .truncated, "RIFF header alone needs 12"),
            (Array("RIFF".utf8) + le32(36) + Array("WAVEfmt ".utf8) + le32(16) + le16(1) + le16(2), .truncated, "'fmt ' chunk"),
            (Array("RIFF".utf8) + le32(1000) + Array("WAVE".utf8), .truncated, "truncated"),
            (Array("RIFF".utf8) + le32(1000) + Array("WAVEda".utf8), .truncated, "inside the chunk header"),
            (Array("RF64".utf8) + le32(0xFFFF_FFFF) + Array("WAVE".utf8), .unsupportedFormat, "RF64"),
        ]
        for (bytes, code, text) in cases {
            let error = try #require(throws: AudioError.self) { try WAVFile.decode(bytes) }
            #expect(error.code == code, "\(error.message)")
            #expect(error.message.contains(text), "\(error.message) should mention \(text)")
        }
    }

    @Test func missingChunksAndUnsupportedEncodingsAreNamed() throws {
        var noData = WAVBuilder()
        noData.chunks = [("fmt ", WAVBuilder.fmt(tag: 1, channels: 1, rate: 48000, bits: 16)), ("LIST", [0, 0])]
        var noFormat = WAVBuilder()
        noFormat.chunks = [("data", [0, 0, 0, 0])]
        var mp3 = WAVBuilder()
        mp3.chunks = [("fmt ", WAVBuilder.fmt(tag: 0x55, channels: 1, rate: 44100, bits: 0)), ("data", [0xFF, 0xFB])]
        var twelveBit = WAVBuilder()
        twelveBit.chunks = [("fmt ", WAVBuilder.fmt(tag: 1, channels: 1, rate: 44100, bits: 12)), ("data", [0, 0])]
        var lowRate = WAVBuilder()
        lowRate.chunks = [("fmt ", WAVBuilder.fmt(tag: 1, channels: 1, rate: 4000, bits: 16)), ("data", [0, 0])]

        let cases: [(WAVBuilder, AudioError.Code, String)] = [
            (noData, .missingChunk, "no 'data' chunk"),
            (noFormat, .missingChunk, "no 'fmt ' chunk"),
            (mp3, .unsupportedFormat, "0x0055 (MPEG Layer 3)"),
            (twelveBit, .unsupportedFormat, "12 bits"),
            (lowRate, .unsupportedFormat, "4000 Hz"),
        ]
        for (wav, code, text) in cases {
            let error = try #require(throws: AudioError.self) { try WAVFile.decode(wav.bytes) }
            #expect(error.code == code, "\(error.message)")
            #expect(error.message.contains(text), "\(error.message) should mention \(text)")
        }
    }

    @Test func streamingWriterFixesSizesInAFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("dragoman-wav-\(UInt32.random(in: 0...UInt32.max)).wav")
        defer { try? FileManager.default.removeItem(at: url) }
        let writer = try WAVWriter(url: url, sampleRate: 44100, channels: 2)
        let samples = Self.interleavedStereo()
        for start in stride(from: 0, to: samples.count, by: 882) { try writer.append(Array(samples[start..<min(start + 882, samples.count)])) }
        #expect(throws: AudioError.self) { try writer.append([0.1]) }  // half a stereo frame
        try writer.finish()
        #expect(writer.frameCount == 4410)

        let bytes = [UInt8](try Data(contentsOf: url))
        #expect(bytes.count == 44 + 4410 * 4)
        #expect(Array(bytes[4..<8]) == le32(UInt32(36 + 4410 * 4)))
        #expect(Array(bytes[40..<44]) == le32(UInt32(4410 * 4)))
        let audio = try WAVFile.read(contentsOf: url)
        #expect(audio.frameCount == 4410 && audio.channels == 2 && audio.sampleRate == 44100)
        #expect(bytes == WAVFile.encode(PCMAudio(sampleRate: 44100, channels: 2, samples: samples)))
    }

    /// A writer writes into what is at the path, as a shell's `>` does: through a symbolic link to its target
    /// (and into a device such as `/dev/null`), never replacing it with a new file.
    @Test func streamingWriterWritesThroughALinkWithoutReplacingIt() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dragoman-wav-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = folder.appendingPathComponent("target.wav")
        try Data("old contents, longer than the new file will be".utf8).write(to: target)
        let link = folder.appendingPathComponent("link.wav")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)

        let writer = try WAVWriter(url: link, sampleRate: 16000, channels: 1)
        try writer.append(AudioAnalysis.sine(frequency: 1000, duration: 0.01, sampleRate: 16000))
        try writer.finish()

        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link.path) == target.path, "the link is still a link")
        let audio = try WAVFile.read(contentsOf: target)
        #expect(audio.frameCount == 160 && audio.sampleRate == 16000)
    }

    @Test func aWriterToAFolderThatIsMissingNamesThePathAndTheReason() throws {
        let error = try #require(throws: AudioError.self) {
            try WAVWriter(url: URL(fileURLWithPath: "/nonexistent/floor.wav"), sampleRate: 16000, channels: 1)
        }
        #expect(error.code == .io)
        #expect(error.message.contains("/nonexistent/floor.wav") && error.message.contains("No such file"), "\(error.message)")
    }

    @Test func streamingWriterToAPipeLeavesSizesOpen() throws {
        let pipe = Pipe()
        let writer = try WAVWriter(fileHandle: pipe.fileHandleForWriting, sampleRate: 16000, channels: 1)
        let samples = AudioAnalysis.sine(frequency: 1000, duration: 0.05, sampleRate: 16000)
        try writer.append(samples)
        try writer.finish()
        try pipe.fileHandleForWriting.close()
        let bytes = [UInt8](pipe.fileHandleForReading.readDataToEndOfFile())
        #expect(Array(bytes[4..<8]) == [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(Array(bytes[40..<44]) == [0xFF, 0xFF, 0xFF, 0xFF])
        let audio = try WAVFile.decode(bytes)
        #expect(audio.frameCount == samples.count)
    }

    @Test func readingAMissingFileIsAnIOError() throws {
        let error = try #require(throws: AudioError.self) { try WAVFile.read(contentsOf: URL(fileURLWithPath: "/nonexistent/floor.wav")) }
        #expect(error.code == .io)
        #expect(error.message.contains("/nonexistent/floor.wav"))
    }
}
