import DragomanAudio
import Testing

@Suite("Opus codec")
struct OpusCodecTests {
    @Test func sineSweepSurvivesRoundTripAt32kbps() throws {
        let sweep = AudioAnalysis.sineSweep(from: 125, to: 15_000, duration: 3, sampleRate: 48000, amplitude: 0.5)
        let decoded = try opusRoundTrip(sweep)

        // Removing the lookahead aligns the signals exactly: the best lag is 0.
        let correlation = AudioAnalysis.normalizedCrossCorrelation(sweep, decoded, maxLag: 2000)
        #expect(correlation.lag == 0)
        #expect(correlation.value > 0.99)

        // Measured with libopus 1.3.1, complexity 5, full band, VBR: 22.3 dB
        // (a waveform SNR; Opus is perceptual, so it is modest but stable).
        let snr = AudioAnalysis.snr(reference: sweep, test: decoded, lag: 0)
        #expect(snr > 19, "SNR \(snr) dB")
        #expect(AudioAnalysis.snr(reference: sweep, test: decoded) > 19)
    }

    @Test func fourteenKilohertzToneKeepsItsLevel() throws {
        // Measured: 14 kHz −0.01 dB, 15 kHz −0.08 dB, 1 kHz +0.02 dB (20 kHz, past full band's shoulder: −1.4 dB).
        for frequency in [1000.0, 14_000, 15_000] {
            let tone = AudioAnalysis.sine(frequency: frequency, duration: 1, amplitude: 0.5)
            let decoded = try opusRoundTrip(tone)
            let steady = Array(decoded[4800..<43200])
            let level = AudioAnalysis.toneAmplitude(steady, frequency: frequency, sampleRate: 48000)
            #expect(decibelDifference(level, 0.5) > -3, "\(frequency) Hz came back at \(decibelDifference(level, 0.5)) dB")
            #expect(decibelDifference(level, 0.5) < 1)
        }
    }

    @Test func encoderProducesOnePacketPer20msNearTheTargetBitrate() throws {
        let encoder = try OpusEncoder()
        #expect(encoder.frameSize == 960)
        #expect(encoder.lookahead == 312)  // libopus at 48 kHz: 2.5 ms + 4 ms delay compensation
        #expect(encoder.preSkip == 312)
        let signal = AudioAnalysis.sineSweep(from: 100, to: 10_000, duration: 1, amplitude: 0.3)
        var bytes = 0
        for start in stride(from: 0, to: signal.count, by: 960) {
            let packet = try encoder.encode(Array(signal[start..<(start + 960)]))
            #expect(try OpusDecoder.sampleCount(of: packet) == 960)
            bytes += packet.count
        }
        let kbps = Double(bytes * 8) / 1000
        #expect(kbps > 24 && kbps < 40, "\(kbps) kbit/s")
    }

    @Test func encoderRejectsWrongFrameSizeNamingTheExpectedCount() throws {
        let encoder = try OpusEncoder()
        for count in [0, 959, 961, 1920] {
            let error = try #require(throws: AudioError.self) { try encoder.encode([Float](repeating: 0, count: count)) }
            #expect(error.code == .invalidFrameSize)
            #expect(error.message.contains("\(count) samples"))
            #expect(error.message.contains("exactly 960"))
        }
        let stereo = try OpusEncoder(channels: 2)
        let error = try #require(throws: AudioError.self) { try stereo.encode([Float](repeating: 0, count: 960)) }
        #expect(error.message.contains("exactly 1920"))
        #expect(try stereo.encode([Float](repeating: 0, count: 1920)).count > 0)
    }

    @Test func encoderRejectsOutOfRangeSettings() throws {
        #expect(throws: AudioError.self) { try OpusEncoder(sampleRate: 44100) }
        #expect(throws: AudioError.self) { try OpusEncoder(channels: 3) }
        #expect(throws: AudioError.self) { try OpusEncoder(bitrate: 1000) }
        #expect(throws: AudioError.self) { try OpusEncoder(complexity: 11) }
        #expect(throws: AudioError.self) { try OpusDecoder(sampleRate: 44100) }
        #expect(throws: AudioError.self) { try OpusDecoder(channels: 0) }
        let error = try #require(throws: AudioError.self) { try OpusEncoder(sampleRate: 44100) }
        #expect(error.code == .invalidArgument)
        #expect(error.message.contains("44100"))
    }

    @Test func decoderRejectsMalformedPacketsWithOpusError() throws {
        let decoder = try OpusDecoder()
        let malformed: [[UInt8]] = [
            [0x03, 0x00],  // code 3 packet declaring zero frames
            [0x02],  // code 2 packet without its frame length
            [0x01, 0x01, 0x02, 0x03],  // code 1 (two equal frames) with an odd, 3-byte payload
            [0x03, 0x3F] + [UInt8](repeating: 0, count: 10),  // 63 frames of 20 ms: over 120 ms
        ]
        for packet in malformed {
            let error = try #require(throws: AudioError.self) { try decoder.decode(packet) }
            #expect(error.code == .opus)
            #expect(error.opusStatus == -4)  // OPUS_INVALID_PACKET
            #expect(error.message.contains("corrupted stream"), "\(error.message)")
        }
        let empty = try #require(throws: AudioError.self) { try decoder.decode([]) }
        #expect(empty.code == .invalidFrameSize)
        // After refusing garbage, the decoder still decodes real packets.
        let encoder = try OpusEncoder()
        #expect(try decoder.decode(try encoder.encode([Float](repeating: 0.1, count: 960))).count == 960)
    }

    @Test func decoderSurvivesRandomBytesWithoutCrashing() throws {
        let decoder = try OpusDecoder()
        var generator = SeededGenerator(seed: 42)
        var refused = 0
        for _ in 0..<500 {
            let packet = (0..<Int.random(in: 1...200, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            do {
                let samples = try decoder.decode(packet)
                // Anything accepted decodes to a whole number of 2.5 ms blocks, at most 120 ms.
                #expect(samples.count % 120 == 0 && samples.count <= 5760)
                #expect(samples.allSatisfy { $0.isFinite })
            } catch let error as AudioError {
                #expect(error.code == .opus)
                refused += 1
            }
        }
        #expect(refused > 0)
    }

    @Test func lostPacketIsConcealedWithRequestedLength() throws {
        let encoder = try OpusEncoder()
        let decoder = try OpusDecoder()
        let tone = AudioAnalysis.sine(frequency: 440, duration: 0.2, amplitude: 0.5)
        for start in stride(from: 0, to: tone.count, by: 960) {
            _ = try decoder.decode(try encoder.encode(Array(tone[start..<(start + 960)])))
        }
        let concealed = try decoder.decodeLost()
        #expect(concealed.count == 960)
        // Concealment continues the tone rather than dropping to silence.
        #expect(AudioAnalysis.rms(concealed) > 0.05)
        #expect(try decoder.decodeLost(samples: 480).count == 480)
        #expect(throws: AudioError.self) { try decoder.decodeLost(samples: 1000) }
        #expect(throws: AudioError.self) { try decoder.decodeLost(samples: 0) }
    }

    @Test func stereoRoundTripKeepsChannelsApart() throws {
        let encoder = try OpusEncoder(channels: 2, bitrate: 64000)
        let decoder = try OpusDecoder(channels: 2)
        let left = AudioAnalysis.sine(frequency: 500, duration: 0.4, amplitude: 0.5)
        var interleaved = [Float](repeating: 0, count: left.count * 2)
        for index in left.indices { interleaved[2 * index] = left[index] }
        var decoded: [Float] = []
        for start in stride(from: 0, to: interleaved.count, by: 1920) {
            decoded += try decoder.decode(try encoder.encode(Array(interleaved[start..<(start + 1920)])))
        }
        let mono = (0..<(decoded.count / 2)).map { (l: decoded[2 * $0], r: decoded[2 * $0 + 1]) }
        let steady = mono[4800..<(mono.count - 960)]
        #expect(AudioAnalysis.rms(steady.map(\.l)) > 0.3)
        #expect(AudioAnalysis.rms(steady.map(\.r)) < 0.03)
    }

    @Test func identificationHeaderMatchesRFC7845Layout() throws {
        let header = OpusHead.identificationHeader(preSkip: 312)
        #expect(header == Array("OpusHead".utf8) + [1, 1, 0x38, 0x01, 0x80, 0xBB, 0x00, 0x00, 0, 0, 0])
        #expect(header.count == 19)
        let parsed = try OpusHead(parsing: header)
        #expect(parsed == OpusHead(channels: 1, preSkip: 312, inputSampleRate: 48000))
        let stereo = OpusHead.identificationHeader(channels: 2, preSkip: 3840, inputSampleRate: 44100)
        #expect(try OpusHead(parsing: stereo) == OpusHead(channels: 2, preSkip: 3840, inputSampleRate: 44100))
        let error = try #require(throws: AudioError.self) { try OpusHead(parsing: Array("OpusTags".utf8) + [UInt8](repeating: 0, count: 11)) }
        #expect(error.message.contains("expected 'OpusHead'"))
    }

    @Test func commentHeaderHoldsVendorAndNoComments() throws {
        let header = OpusHead.commentHeader()
        #expect(header == Array("OpusTags".utf8) + [8, 0, 0, 0] + Array("Dragoman".utf8) + [0, 0, 0, 0])
        let tags = try OpusTags(parsing: OpusTags(vendor: "Ünï", comments: ["TITLE=Floor", "LANGUAGE=ru"]).bytes)
        #expect(tags == OpusTags(vendor: "Ünï", comments: ["TITLE=Floor", "LANGUAGE=ru"]))
        #expect(throws: AudioError.self) { try OpusTags(parsing: Array("OpusTags".utf8) + [200, 0, 0, 0, 65]) }
        #expect(throws: AudioError.self) { try OpusTags(parsing: Array("OpusTags".utf8) + [0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x7F]) }
    }
}
