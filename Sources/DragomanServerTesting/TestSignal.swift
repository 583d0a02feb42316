public import DragomanAudio

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Test audio made on the spot: tones, as PCM or as the 20 ms messages a console or floor sends.
public enum TestSignal {
    /// A `frequency` Hz tone at `rate` Hz in `channels` channels, `amplitude` of full scale.
    public static func tone(
        seconds: Double,
        frequency: Double = 440,
        rate: Int = 44100,
        channels: Int = 2,
        amplitude: Double = 0.4
    )
        -> PCMAudio
    {
        let frames = Int(seconds * Double(rate))
        var samples = [Float](repeating: 0, count: frames * channels)
        for i in 0..<frames {
            let value = Float(amplitude * sin(2 * Double.pi * frequency * Double(i) / Double(rate)))
            for c in 0..<channels { samples[i * channels + c] = value }
        }
        return PCMAudio(sampleRate: rate, channels: channels, samples: samples)
    }

    /// The same tone as 20 ms messages of 16-bit little-endian mono PCM at 48 kHz.
    public static func toneFrames(seconds: Double, frequency: Double = 440, amplitude: Float = 0.5) -> [[UInt8]] {
        let pcm = tone(seconds: seconds, frequency: frequency, rate: 48000, channels: 1, amplitude: Double(amplitude))
        return stride(from: 0, to: pcm.samples.count - 959, by: 960).map { start in
            PCMEncoding.s16le(Array(pcm.samples[start..<start + 960]))
        }
    }
}
