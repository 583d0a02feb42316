/// Reads an Ogg/Opus stream, from a file or as bytes arrive from a socket:
/// checks every page's CRC, reassembles packets, parses the two headers and
/// hands back the audio packets.
///
/// Only one logical stream at a time (no multiplexing); a new beginning-of-stream page
/// starts a new chained stream. Pages missing from the sequence (a listener who joined
/// mid-stream) are counted in `lostPages`, not treated as errors. Garbage is: after a
/// throw the reader is unusable, as a live stream cannot resynchronise reliably.
public struct OggOpusReader: Sendable {
    /// The current stream's identification header, once read.
    public private(set) var head: OpusHead?
    /// The current stream's comment header, once read.
    public private(set) var tags: OpusTags?
    /// The current stream's serial number, once its first page is read.
    public private(set) var serial: UInt32?
    /// Pages read so far, over all chained streams.
    public private(set) var pagesRead = 0
    /// Pages skipped in the sequence numbering.
    public private(set) var lostPages = 0
    /// Whether the current stream's end-of-stream page has been read.
    public private(set) var isAtEndOfStream = false

    private var buffer: [UInt8] = []
    private var bufferStart = 0  // position of buffer[0] in the whole input, for error messages
    private var partialPacket: [UInt8]?
    private var lastSequence: UInt32?

    /// Creates a reader waiting for a stream's first page.
    public init() {}

    /// Bytes received that do not yet make a whole page.
    public var bufferedByteCount: Int { buffer.count }

    /// Feeds bytes and returns the audio packets they complete.
    ///
    /// - Throws: `AudioError` with `.invalidOgg` for bytes that are not Ogg pages or not
    ///   Ogg/Opus, `.checksumMismatch` for a corrupt page.
    public mutating func push(_ bytes: [UInt8]) throws -> [OggOpusPacket] {
        buffer += bytes
        var packets: [OggOpusPacket] = []
        var offset = 0
        defer {
            buffer.removeFirst(offset)
            bufferStart += offset
        }
        while offset < buffer.count,
            let (page, length) = try OggPage.parse(buffer, at: offset, streamOffset: bufferStart + offset)
        {
            try accept(page, at: bufferStart + offset, into: &packets)
            offset += length
        }
        return packets
    }

    /// Checks that the input ended on a page boundary.
    ///
    /// - Throws: `AudioError` with `.truncated` when a partial page remains.
    public func finish() throws {
        guard buffer.isEmpty else {
            throw AudioError(.truncated, "Ogg stream ends inside a page: \(buffer.count) bytes left at byte \(bufferStart)")
        }
        guard head != nil, tags != nil else {
            throw AudioError(.invalidOgg, "Ogg stream ends before its Opus headers (\(pagesRead) pages read)")
        }
    }

    /// Reads a complete Ogg/Opus stream, such as a file.
    ///
    /// - Throws: `AudioError` for garbage, a corrupt page, missing headers or a truncated end.
    public static func read(_ bytes: [UInt8]) throws -> OggOpusStream {
        var reader = OggOpusReader()
        let packets = try reader.push(bytes)
        try reader.finish()
        return OggOpusStream(head: reader.head!, tags: reader.tags!, packets: packets)
    }

    private mutating func accept(_ page: OggPage, at position: Int, into packets: inout [OggOpusPacket]) throws {
        if page.flags.contains(.beginningOfStream) {
            // A new (possibly chained) stream: forget the previous one's state.
            head = nil
            tags = nil
            serial = page.serial
            partialPacket = nil
            lastSequence = nil
            isAtEndOfStream = false
        } else if serial == nil {
            throw AudioError(
                .invalidOgg,
                "Ogg/Opus stream must start with a beginning-of-stream page; page \(page.sequence) at byte \(position) is not one"
            )
        } else if page.serial != serial {
            throw AudioError(
                .invalidOgg,
                "Ogg page at byte \(position) belongs to stream 0x\(String(page.serial, radix: 16)) inside stream 0x\(String(serial!, radix: 16)); multiplexed streams are not supported"
            )
        }
        if let lastSequence, page.sequence != lastSequence &+ 1 {
            lostPages += Int(page.sequence &- lastSequence &- 1)
            partialPacket = nil  // its continuation is gone
        }
        lastSequence = page.sequence
        pagesRead += 1

        // Packets that end on this page; a packet continued from a lost page is dropped.
        var completed: [[UInt8]] = []
        var current: [UInt8]? = page.flags.contains(.continued) ? partialPacket : []
        partialPacket = nil
        var bodyOffset = 0
        for lacing in page.segmentTable {
            let length = Int(lacing)
            current?.append(contentsOf: page.body[bodyOffset..<(bodyOffset + length)])
            bodyOffset += length
            if length < 255 {
                if let packet = current { completed.append(packet) }
                current = []
            }
        }
        if page.segmentTable.last == 255 { partialPacket = current }

        for (index, packet) in completed.enumerated() {
            let isLast = index == completed.count - 1
            if head == nil {
                head = try OpusHead(parsing: packet)
            } else if tags == nil {
                tags = try OpusTags(parsing: packet)
            } else {
                packets.append(
                    OggOpusPacket(
                        data: packet,
                        granulePosition: isLast && page.granulePosition >= 0 ? page.granulePosition : nil,
                        pageSequence: page.sequence,
                        isEndOfStream: page.flags.contains(.endOfStream)
                    )
                )
            }
        }
        if page.flags.contains(.endOfStream) { isAtEndOfStream = true }
    }
}
