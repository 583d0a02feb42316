/// A block of decoded audio: interleaved float samples, nominally in -1…1.
public struct PCMAudio: Sendable, Equatable {
    /// Sample frames per second.
    public var sampleRate: Int
    /// Interleaved channels.
    public var channels: Int
    /// Interleaved samples, `channels` per sample frame.
    public var samples: [Float]

    /// Creates audio from interleaved samples.
    public init(sampleRate: Int, channels: Int, samples: [Float]) {
        self.sampleRate = sampleRate
        self.channels = channels
        self.samples = samples
    }

    /// Sample frames (samples per channel).
    public var frameCount: Int { channels > 0 ? samples.count / channels : 0 }

    /// Length in seconds.
    public var duration: Double { sampleRate > 0 ? Double(frameCount) / Double(sampleRate) : 0 }

    /// The same audio mixed to one channel (the average of all channels).
    public func mixedToMono() -> PCMAudio {
        PCMAudio(sampleRate: sampleRate, channels: 1, samples: Downmixer.mono(samples, channels: channels))
    }
}
