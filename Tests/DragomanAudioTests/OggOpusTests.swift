import DragomanAudio
import Testing

/// CRC-32 as Ogg defines it, bit by bit with no table: an implementation independent of the module's.
func bitwiseOggCRC(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0
    for byte in bytes {
        crc ^= UInt32(byte) << 24
        for _ in 0..<8 { crc = crc & 0x8000_0000 != 0 ? (crc << 1) ^ 0x04C1_1DB7 : crc << 1 }
    }
    return crc
}

/// Splits a byte stream into pages by walking the headers (no CRC checks), for inspecting writer output.
func splitPages(_ bytes: [UInt8]) -> [[UInt8]] {
    var pages: [[UInt8]] = []
    var offset = 0
    while offset + 27 <= bytes.count {
        let segments = Int(bytes[offset + 26])
        let body = bytes[(offset + 27)..<(offset + 27 + segments)].reduce(0) { $0 + Int($1) }
        let length = 27 + segments + body
        pages.append(Array(bytes[offset..<(offset + length)]))
        offset += length
    }
    return pages
}

func le32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
    (0..<4).reduce(0) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
}

func le64(_ bytes: [UInt8], _ offset: Int) -> Int64 {
    Int64(bitPattern: (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) })
}

@Suite("Ogg/Opus")
struct OggOpusTests {
    /// Header pages plus 50 packets of a real encoded sweep, the last marked end-of-stream.
    static func sampleStream() throws -> (bytes: [UInt8], packets: [[UInt8]]) {
        let encoder = try OpusEncoder()
        let sweep = AudioAnalysis.sineSweep(from: 200, to: 8000, duration: 1, amplitude: 0.4)
        var writer = OggOpusWriter(serial: 0xD2A6_0001, preSkip: encoder.preSkip)
        var bytes = writer.headerPages()
        var packets: [[UInt8]] = []
        for start in stride(from: 0, to: sweep.count, by: 960) {
            let packet = try encoder.encode(Array(sweep[start..<(start + 960)]))
            packets.append(packet)
            bytes += writer.page(for: packet, endOfStream: packets.count == 50)
        }
        return (bytes, packets)
    }

    @Test func independentBitwiseCRCMatchesPublishedCheckValue() {
        // CRC-32/CKSUM (same polynomial, init 0, no reflection) checks "123456789" as 0x765E7680
        // after its final inversion; Ogg does not invert, so the raw value is its complement.
        #expect(bitwiseOggCRC(Array("123456789".utf8)) == ~UInt32(0x765E_7680))
    }

    @Test func everyWrittenPageCarriesTheCorrectCRC() throws {
        let pages = splitPages(try Self.sampleStream().bytes)
        #expect(pages.count == 52)
        for page in pages {
            var zeroed = page
            zeroed.replaceSubrange(22..<26, with: [0, 0, 0, 0])
            #expect(le32(page, 22) == bitwiseOggCRC(zeroed))
        }
    }

    @Test func headerPageMatchesAHandBuiltOne() {
        let writer = OggOpusWriter(serial: 0x0102_0304, preSkip: 312)
        let first = splitPages(writer.headerPages())[0]
        var expected: [UInt8] = Array("OggS".utf8) + [0, 0x02] + [UInt8](repeating: 0, count: 8)
        expected += [0x04, 0x03, 0x02, 0x01] + [0, 0, 0, 0] + [0, 0, 0, 0] + [1, 19]
        expected += Array("OpusHead".utf8) + [1, 1, 0x38, 0x01, 0x80, 0xBB, 0, 0, 0, 0, 0]
        let crc = bitwiseOggCRC(expected)
        expected.replaceSubrange(22..<26, with: [UInt8(crc & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 24)])
        #expect(first == expected)
    }

    @Test func writerOutputParsesBackIntoTheSamePackets() throws {
        let (bytes, packets) = try Self.sampleStream()
        let stream = try OggOpusReader.read(bytes)
        #expect(stream.head == OpusHead(channels: 1, preSkip: 312, inputSampleRate: 48000))
        #expect(stream.tags.vendor == "Dragoman")
        #expect(stream.packets.map(\.data) == packets)
        #expect(stream.packets.map(\.granulePosition) == (1...50).map { Int64($0 * 960) })
        #expect(stream.packets.map(\.pageSequence) == (2...51).map { UInt32($0) })
        #expect(stream.packets.last?.isEndOfStream == true)
        #expect(stream.packets.dropLast().allSatisfy { !$0.isEndOfStream })
    }

    /// A recording's page holds many packets; those that would overflow its 255 segments start the next page, and the
    /// reader gets every packet back with the granule of its page.
    @Test func aRecordingsPagesCarryManyPacketsAndParseBack() throws {
        var writer = OggOpusWriter(serial: 7, preSkip: 312)
        let packets = (0..<60).map { index in [UInt8](repeating: UInt8(index), count: index == 10 ? 600 : 80) }
        let bytes = writer.headerPages() + writer.pages(for: packets) + writer.endOfStream()
        let stream = try OggOpusReader.read(bytes)
        #expect(stream.packets.map(\.data) == packets)
        let pages = splitPages(bytes)
        #expect(pages.count == 2 + 1 + 1)  // headers, one page of audio, the end
        #expect(le64(pages[2], 6) == 60 * 960)
        var big = OggOpusWriter(serial: 7, preSkip: 312)
        let many = big.pages(for: Array(repeating: [UInt8](repeating: 1, count: 300), count: 200))  // 2 segments each
        #expect(splitPages(many).count == 2)  // 127 packets fit in 255 segments, 73 on the next page
        #expect(big.granulePosition == 200 * 960)
    }

    @Test func pagesCarryFlagsGranulesAndSequenceNumbers() throws {
        let pages = splitPages(try Self.sampleStream().bytes)
        #expect(pages[0][5] == 0x02)  // beginning of stream
        #expect(pages[1][5] == 0x00)
        #expect(pages[51][5] == 0x04)  // end of stream
        #expect(pages.map { le32($0, 18) } == (0..<52).map { UInt32($0) })
        #expect(le64(pages[0], 6) == 0 && le64(pages[1], 6) == 0)
        #expect(le64(pages[2], 6) == 960)
        #expect(Set(pages.map { le32($0, 14) }) == [0xD2A6_0001])
    }

    @Test func readerFedInSmallChunksYieldsTheSamePackets() throws {
        let (bytes, packets) = try Self.sampleStream()
        var reader = OggOpusReader()
        var read: [OggOpusPacket] = []
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + 7, bytes.count)
            read += try reader.push(Array(bytes[offset..<end]))
            offset = end
        }
        try reader.finish()
        #expect(read.map(\.data) == packets)
        #expect(reader.isAtEndOfStream)
        #expect(reader.lostPages == 0)
        #expect(reader.pagesRead == 52)
    }

    @Test func corruptPageIsRefusedWithChecksumError() throws {
        var bytes = try Self.sampleStream().bytes
        let pages = splitPages(bytes)
        let thirdPage = pages[0].count + pages[1].count + pages[2].count
        bytes[thirdPage + 40] ^= 0x10  // one bit inside the fourth page's packet
        let error = try #require(throws: AudioError.self) { try OggOpusReader.read(bytes) }
        #expect(error.code == .checksumMismatch)
        #expect(error.message.contains("Ogg page 3"))
        #expect(error.message.contains("CRC"))
    }

    @Test func garbageIsRefusedNamingWhatWasFound() throws {
        let id3 = Array("ID3".utf8) + [3, 0, 0, 0, 0, 0, 0]
        let error = try #require(throws: AudioError.self) { try OggOpusReader.read(id3) }
        #expect(error.code == .invalidOgg)
        #expect(error.message == "not an Ogg page: expected 'OggS' at byte 0, found 'ID3\\u{3}'")

        // Garbage between pages is caught too, at its position.
        let good = try Self.sampleStream().bytes
        let firstPage = splitPages(good)[0].count
        let spliced = Array(good[..<firstPage]) + Array("junk".utf8) + Array(good[firstPage...])
        let spliceError = try #require(throws: AudioError.self) { try OggOpusReader.read(spliced) }
        #expect(spliceError.message.contains("at byte \(firstPage)"))

        #expect(throws: AudioError.self) { try OggOpusReader.read([UInt8].random(count: 4096, seed: 7)) }
        // A partial first chunk that already differs from "OggS" fails at once.
        var reader = OggOpusReader()
        #expect(throws: AudioError.self) { try reader.push([0x4F, 0x67, 0x00]) }
    }

    @Test func streamNotStartingWithOpusHeadIsRefused() throws {
        // A valid Ogg page whose first packet is not an OpusHead (e.g. Vorbis).
        let vorbis = OggPage(
            flags: .beginningOfStream,
            granulePosition: 0,
            serial: 1,
            sequence: 0,
            segmentTable: [7],
            body: [1] + Array("vorbis".utf8)
        )
        let error = try #require(throws: AudioError.self) { try OggOpusReader.read(vorbis.bytes) }
        #expect(error.message.contains("expected 'OpusHead'"))

        // A page without the beginning-of-stream flag cannot start a stream.
        let middle = OggPage(flags: [], granulePosition: 960, serial: 1, sequence: 9, segmentTable: [3], body: [1, 2, 3])
        let middleError = try #require(throws: AudioError.self) { try OggOpusReader.read(middle.bytes) }
        #expect(middleError.message.contains("beginning-of-stream"))
    }

    @Test func truncatedStreamIsReportedAtFinish() throws {
        let bytes = try Self.sampleStream().bytes
        var reader = OggOpusReader()
        _ = try reader.push(Array(bytes.dropLast(10)))
        let error = try #require(throws: AudioError.self) { try reader.finish() }
        #expect(error.code == .truncated)
        #expect(throws: AudioError.self) { try OggOpusReader.read(Array(bytes.prefix(40))) }
    }

    @Test func listenerJoiningMidStreamCountsLostPages() throws {
        let pages = splitPages(try Self.sampleStream().bytes)
        // What a late listener receives: the headers again, then the live edge.
        let joined = (pages[0] + pages[1]) + pages[20...].flatMap { $0 }
        var reader = OggOpusReader()
        let packets = try reader.push(joined)
        #expect(packets.count == 32)
        #expect(reader.lostPages == 18)
        #expect(packets.first?.granulePosition == Int64(19 * 960))
    }

    @Test func packetsOfAnyLengthSurviveLacing() throws {
        // 255 needs a terminating zero-length segment; 70,000 spans two pages.
        var writer = OggOpusWriter(serial: 9, preSkip: 0)
        var bytes = writer.headerPages()
        let lengths = [1, 254, 255, 256, 510, 65_024, 70_000]
        let packets = lengths.enumerated().map { index, length in [UInt8].random(count: length, seed: UInt64(index)) }
        for packet in packets { bytes += writer.page(for: packet) }
        bytes += writer.endOfStream()
        var reader = OggOpusReader()
        let read = try reader.push(bytes)
        #expect(read.map(\.data.count) == lengths)
        #expect(read.map(\.data) == packets)
        #expect(reader.isAtEndOfStream)
        #expect(writer.nextSequence == 2 + 8 + 1)  // the 70,000-byte packet took two pages
    }
}
