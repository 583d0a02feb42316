/// An Opus audio packet read from an Ogg stream, with where it sat.
public struct OggOpusPacket: Sendable, Equatable {
    /// The Opus packet.
    public var data: [UInt8]
    /// The granule position (samples at 48 kHz, pre-skip included) at the end of this packet,
    /// known only for the last packet that ends on a page; `nil` otherwise.
    public var granulePosition: Int64?
    /// Sequence number of the page on which the packet ends.
    public var pageSequence: UInt32
    /// Whether that page is the stream's last.
    public var isEndOfStream: Bool

    /// Creates a packet record.
    public init(data: [UInt8], granulePosition: Int64?, pageSequence: UInt32, isEndOfStream: Bool) {
        self.data = data
        self.granulePosition = granulePosition
        self.pageSequence = pageSequence
        self.isEndOfStream = isEndOfStream
    }
}
