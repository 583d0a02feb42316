import DragomanAudio
import Testing

@Suite("PCM formats, downmix, chunking")
struct BuildingBlockTests {
    @Test func sampleFormatsHaveWireNamesAndSizes() {
        #expect(PCMSampleFormat(rawValue: "s16le") == .s16le)
        #expect(PCMSampleFormat(rawValue: "f32le") == .f32le)
        #expect(PCMSampleFormat(rawValue: "s24le") == nil)
        #expect(PCMSampleFormat.s16le.bytesPerSample == 2)
        #expect(PCMSampleFormat.f32le.bytesPerSample == 4)
    }

    @Test func s16leDecodesLittleEndianAndEncodesClamped() {
        #expect(PCMSampleFormat.s16le.decode([0x00, 0x80, 0xFF, 0x7F, 0x00, 0x40, 0x01]) == [-1, 32767 / 32768, 0.5])
        #expect(
            PCMEncoding.s16le([1.5, -1.5, 1, -1, 0.5, .nan, 1 / 32768]) == [0xFF, 0x7F, 0x00, 0x80, 0xFF, 0x7F, 0x00, 0x80, 0x00, 0x40, 0, 0, 1, 0]
        )
        let samples = (-32768...32767).map { Float($0) / 32768 }
        #expect(PCMSampleFormat.s16le.decode(PCMEncoding.s16le(samples)) == samples)
    }

    @Test func f32leRoundTripsExactly() {
        let samples: [Float] = [0, 1, -1, 0.123456, 3.5, -.leastNonzeroMagnitude]
        let bytes = PCMSampleFormat.f32le.encode(samples)
        #expect(bytes.count == 24)
        #expect(Array(bytes[4..<8]) == [0x00, 0x00, 0x80, 0x3F])  // 1.0f little-endian
        #expect(PCMSampleFormat.f32le.decode(bytes) == samples)
    }

    @Test func downmixAveragesChannels() {
        #expect(Downmixer.mono([1, 0, 0.5, 0.5, -1, 1], channels: 2) == [0.5, 0.5, 0])
        #expect(Downmixer.mono([0.3, 0.6, 0.9, 3, 0, 0], channels: 3) == [0.6, 1])
        #expect(Downmixer.mono([0.1, 0.2], channels: 1) == [0.1, 0.2])
        #expect(Downmixer.mono([1, 1, 1], channels: 2) == [1])  // trailing partial frame ignored
    }

    @Test func chunkerCutsExactFramesAndPadsTheLast() {
        var chunker = FrameChunker(frameSize: 960)
        chunker.append([Float](repeating: 1, count: 1000))
        #expect(chunker.nextFrame()?.count == 960)
        #expect(chunker.nextFrame() == nil)
        chunker.append((0..<1000).map(Float.init))
        let second = chunker.nextFrame()
        #expect(second?.prefix(40) == ArraySlice(repeating: 1, count: 40))
        #expect(second?[40] == 0 && second?[959] == 919)
        #expect(chunker.nextFrame() == nil)
        #expect(chunker.bufferedCount == 80)
        let last = chunker.flush()
        #expect(last?.count == 960 && last?[0] == 920 && last?[79] == 999 && last?[80] == 0)
        #expect(chunker.flush() == nil)
    }
}
