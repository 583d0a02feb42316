import DragomanAudio
import Testing

@Suite("Floor conditioner")
struct FloorConditionerTests {
    @Test func stereo44100InOddSizeChunksYields20msFramesOfMatchingDuration() throws {
        var conditioner = try FloorConditioner(inputRate: 44100, inputChannels: 2, format: .s16le)
        let seconds = 2.0
        let left = AudioAnalysis.sine(frequency: 1000, duration: seconds, sampleRate: 44100, amplitude: 0.5)
        let bytes = PCMEncoding.s16le(left.flatMap { [$0, $0] })
        var frames: [[Float]] = []
        var offset = 0
        // Whole sample frames (4 bytes), in sizes that never line up with 20 ms.
        var sizes = [1, 37, 441, 1001, 3, 4096].cycled().makeIterator()
        while offset < bytes.count, let frameCount = sizes.next() {
            let end = min(offset + frameCount * 4, bytes.count)
            frames += try conditioner.push(Array(bytes[offset..<end]))
            offset = end
        }
        #expect(conditioner.inputFrameCount == 88200)
        let streamed = frames.count
        frames += conditioner.finish()
        #expect(frames.allSatisfy { $0.count == 960 })
        // 2 s at 48 kHz is exactly 100 frames; the tail held back while streaming is less than a frame
        // plus the resampler and limiter look-ahead.
        #expect(streamed == 99)
        #expect(frames.count == 101)  // 96000 samples + 71 of limiter delay, padded to whole frames
        #expect(conditioner.outputFrameCount == frames.count)

        let mono = frames.flatMap { $0 }
        let steady = Array(mono[4800..<91200])
        #expect(abs(AudioAnalysis.estimatedFrequency(steady, sampleRate: 48000) - 1000) < 0.01)
        // Identical channels average to the same level; the 16-bit input costs nothing measurable.
        #expect(abs(decibelDifference(AudioAnalysis.toneAmplitude(steady, frequency: 1000, sampleRate: 48000), 0.5)) < 0.05)
    }

    @Test func partialSampleFrameIsRefused() throws {
        var conditioner = try FloorConditioner(inputRate: 44100, inputChannels: 2, format: .s16le)
        let error = try #require(throws: AudioError.self) { try conditioner.push([UInt8](repeating: 0, count: 4 * 10 + 3)) }
        #expect(error.code == .invalidFrameSize)
        #expect(error.message.contains("43 bytes"))
        #expect(error.message.contains("4-byte sample frames"))
        #expect(conditioner.inputFrameCount == 0)  // nothing was consumed

        var float = try FloorConditioner(inputRate: 48000, inputChannels: 1, format: .f32le)
        #expect(throws: AudioError.self) { try float.push([0, 0, 0, 0, 0, 0]) }
        #expect(try float.push([0, 0, 0, 0]).isEmpty)
    }

    @Test func loudFloorIsLimitedBeforeEncoding() throws {
        var conditioner = try FloorConditioner(inputRate: 48000, inputChannels: 1, format: .f32le)
        let loud = AudioAnalysis.sine(frequency: 440, duration: 0.5, amplitude: 4)
        let frames = try conditioner.push(PCMEncoding.f32le(loud))
        #expect(frames.count == 25)  // 0.5 s in 20 ms frames; 48 kHz needs no resampling
        let ceiling = Float(AudioAnalysis.amplitude(dB: -1))
        #expect(frames.allSatisfy { $0.allSatisfy { abs($0) <= ceiling } })
        #expect(conditioner.gainReductionDB > 12)
    }

    @Test func mono48kHzFloatPassesThroughDelayedOnlyByTheLimiter() throws {
        var conditioner = try FloorConditioner(inputRate: 48000, inputChannels: 1, format: .f32le)
        let input = AudioAnalysis.sineSweep(from: 100, to: 10000, duration: 0.2, amplitude: 0.5)
        let output = try conditioner.push(PCMEncoding.f32le(input)).flatMap { $0 }
        #expect(conditioner.latency == 71)
        #expect(Array(output[71...]) == Array(input[..<(output.count - 71)]))
    }

    @Test func everySupportedFormatProducesFrames() throws {
        for rate in [8000, 16000, 22050, 32000, 44100, 48000, 88200, 96000, 192_000] {
            for channels in [1, 2, 6, 8] {
                for format in PCMSampleFormat.allCases {
                    var conditioner = try FloorConditioner(inputRate: rate, inputChannels: channels, format: format)
                    let tenth = [UInt8](repeating: 0, count: rate / 10 * channels * format.bytesPerSample)
                    let frames = try conditioner.push(tenth) + conditioner.finish()
                    #expect(frames.count == 6, "\(rate) Hz × \(channels) \(format)")
                }
            }
        }
    }

    @Test func invalidPublisherSettingsAreRefused() throws {
        for (rate, channels, text) in [(7999, 1, "7999 Hz"), (192_001, 2, "192001 Hz"), (48000, 0, "channel count 0"), (48000, 9, "channel count 9")]
        {
            let error = try #require(throws: AudioError.self) { try FloorConditioner(inputRate: rate, inputChannels: channels, format: .s16le) }
            #expect(error.code == .invalidArgument)
            #expect(error.message.contains(text), "\(error.message)")
        }
    }
}
