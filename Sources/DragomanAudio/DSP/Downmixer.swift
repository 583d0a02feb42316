/// Mixes interleaved multichannel audio to mono.
public enum Downmixer {
    /// The average of all channels of each sample frame.
    ///
    /// Averaging (rather than summing) keeps a signal present equally in every channel at
    /// its level and can never clip. A trailing partial sample frame is ignored.
    /// - Parameter channels: channels per sample frame, at least 1; 1 returns the input.
    public static func mono(_ interleaved: [Float], channels: Int) -> [Float] {
        precondition(channels >= 1, "channel count must be at least 1, not \(channels)")
        if channels == 1 { return interleaved }
        return interleaved.withUnsafeBufferPointer { input in
            let frames = input.count / channels
            let scale = 1 / Float(channels)
            return [Float](unsafeUninitializedCapacity: frames) { out, initialized in
                if channels == 2 {
                    // The common case, without the inner loop.
                    for frame in 0..<frames { out[frame] = (input[2 * frame] + input[2 * frame + 1]) * 0.5 }
                } else {
                    for frame in 0..<frames {
                        var sum: Float = 0
                        for channel in 0..<channels { sum += input[frame * channels + channel] }
                        out[frame] = sum * scale
                    }
                }
                initialized = frames
            }
        }
    }
}
