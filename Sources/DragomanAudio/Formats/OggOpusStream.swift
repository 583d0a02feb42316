/// A whole Ogg/Opus stream read at once: its headers and audio packets.
public struct OggOpusStream: Sendable, Equatable {
    /// The identification header.
    public var head: OpusHead
    /// The comment header.
    public var tags: OpusTags
    /// The audio packets in order.
    public var packets: [OggOpusPacket]

    /// Creates a stream record.
    public init(head: OpusHead, tags: OpusTags, packets: [OggOpusPacket]) {
        self.head = head
        self.tags = tags
        self.packets = packets
    }
}
