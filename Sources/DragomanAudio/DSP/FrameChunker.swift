/// Cuts a stream of samples, arriving in blocks of any size, into frames of a fixed size
/// (960 samples: 20 ms at 48 kHz, what Opus encodes).
public struct FrameChunker: Sendable {
    /// Samples per frame.
    public let frameSize: Int

    private var buffer: [Float] = []
    private var readIndex = 0

    /// Creates a chunker for frames of `frameSize` samples (at least 1).
    public init(frameSize: Int = 960) {
        precondition(frameSize >= 1, "frame size must be at least 1, not \(frameSize)")
        self.frameSize = frameSize
        buffer.reserveCapacity(2 * frameSize)
    }

    /// Samples waiting for a frame to complete.
    public var bufferedCount: Int { buffer.count - readIndex }

    /// Adds samples.
    public mutating func append(_ samples: [Float]) {
        // Drop what has been read before growing, so the buffer stays about a frame long.
        if readIndex > 0 {
            buffer.removeFirst(readIndex)
            readIndex = 0
        }
        buffer.append(contentsOf: samples)
    }

    /// The next complete frame, or `nil` until enough samples have arrived.
    public mutating func nextFrame() -> [Float]? {
        guard bufferedCount >= frameSize else { return nil }
        defer { readIndex += frameSize }
        return Array(buffer[readIndex..<(readIndex + frameSize)])
    }

    /// For the end of a stream: the next frame, with silence after the last sample if it is
    /// partial, or `nil` if no samples remain. Call it until it returns `nil`.
    public mutating func flush() -> [Float]? {
        guard bufferedCount > 0 else { return nil }
        if bufferedCount >= frameSize { return nextFrame() }
        var frame = Array(buffer[readIndex...])
        frame.append(contentsOf: repeatElement(0, count: frameSize - frame.count))
        buffer.removeAll(keepingCapacity: true)
        readIndex = 0
        return frame
    }
}
