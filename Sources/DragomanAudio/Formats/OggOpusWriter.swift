/// Writes a live Ogg/Opus stream (RFC 7845): two header pages, then one page per packet
/// so that every 20 ms packet reaches the listener without waiting for the next.
///
/// A value type holding only counters; each stream (listener connection or file) owns one.
public struct OggOpusWriter: Sendable {
    /// The logical stream's serial number.
    public let serial: UInt32
    /// Channels announced in the OpusHead, 1 or 2.
    public let channels: Int
    /// Samples at 48 kHz the decoder drops at the start.
    public let preSkip: Int
    /// Vendor string of the OpusTags header.
    public let vendor: String
    /// Sample rate of the audio before encoding, announced in the OpusHead.
    public let inputSampleRate: Int

    /// Granule position after the last packet written: samples at 48 kHz, pre-skip included.
    public private(set) var granulePosition: Int64 = 0
    /// Sequence number the next page gets; audio starts at 2, after the two header pages.
    public private(set) var nextSequence: UInt32 = 2
    /// Whether the end-of-stream page has been written.
    public private(set) var isFinished = false

    /// Creates a writer.
    ///
    /// - Parameters:
    ///   - serial: the stream's serial number; pick a random one per stream so that chained
    ///     streams (a client reconnecting to a relay) are told apart.
    ///   - channels: 1 or 2.
    ///   - preSkip: the encoder's `preSkip`.
    public init(serial: UInt32, channels: Int = 1, preSkip: Int, inputSampleRate: Int = 48000, vendor: String = "Dragoman") {
        precondition((1...2).contains(channels), "Ogg Opus mapping family 0 carries 1 or 2 channels, not \(channels)")
        self.serial = serial
        self.channels = channels
        self.preSkip = preSkip
        self.inputSampleRate = inputSampleRate
        self.vendor = vendor
    }

    /// The OpusHead page (beginning-of-stream flag, sequence 0) followed by the OpusTags page (sequence 1).
    ///
    /// They do not depend on what has been written, so a server can send them again to each
    /// listener who joins mid-stream; such a listener then sees a jump in sequence numbers,
    /// which Ogg readers accept as lost pages.
    public func headerPages() -> [UInt8] {
        let head = OpusHead(channels: channels, preSkip: preSkip, inputSampleRate: inputSampleRate).bytes
        let tags = OpusTags(vendor: vendor).bytes
        return Self.pages(for: head, flags: .beginningOfStream, granule: 0, serial: serial, firstSequence: 0).bytes
            + Self.pages(for: tags, flags: [], granule: 0, serial: serial, firstSequence: 1).bytes
    }

    /// The page (or, for a packet over 65,024 bytes, pages) carrying one packet.
    ///
    /// - Parameters:
    ///   - packet: an Opus packet.
    ///   - samples: its duration in samples at 48 kHz, by which the granule position advances.
    ///   - endOfStream: mark this as the stream's last page.
    public mutating func page(for packet: [UInt8], samples: Int = 960, endOfStream: Bool = false) -> [UInt8] {
        precondition(!isFinished, "the Ogg stream has already ended")
        granulePosition += Int64(samples)
        let result = Self.pages(
            for: packet,
            flags: endOfStream ? .endOfStream : [],
            granule: granulePosition,
            serial: serial,
            firstSequence: nextSequence
        )
        nextSequence &+= result.count
        isFinished = endOfStream
        return result.bytes
    }

    /// One page carrying several packets of `samples` each (a recording's second of audio): fewer pages, less
    /// overhead, and each page is whole on disk once written. A packet never spans pages; packets that would not
    /// fit the page's 255 segments go on the next one.
    public mutating func pages(for packets: [[UInt8]], samples: Int = 960) -> [UInt8] {
        precondition(!isFinished, "the Ogg stream has already ended")
        var bytes: [UInt8] = []
        var table: [UInt8] = []
        var body: [UInt8] = []
        func flush() {
            guard !table.isEmpty else { return }
            let page = OggPage(flags: [], granulePosition: granulePosition, serial: serial, sequence: nextSequence, segmentTable: table, body: body)
            bytes += page.bytes
            nextSequence &+= 1
            table = []
            body = []
        }
        for packet in packets {
            var lacing = [UInt8](repeating: 255, count: packet.count / 255)
            lacing.append(UInt8(packet.count % 255))
            precondition(lacing.count <= 255, "an Opus packet is at most 1,275 bytes")
            if table.count + lacing.count > 255 { flush() }
            table += lacing
            body += packet
            granulePosition += Int64(samples)
        }
        flush()
        return bytes
    }

    /// An empty page with the end-of-stream flag, for ending a stream whose last packet
    /// was already written without it.
    public mutating func endOfStream() -> [UInt8] {
        precondition(!isFinished, "the Ogg stream has already ended")
        isFinished = true
        let page = OggPage(
            flags: .endOfStream,
            granulePosition: granulePosition,
            serial: serial,
            sequence: nextSequence,
            segmentTable: [],
            body: []
        )
        nextSequence &+= 1
        return page.bytes
    }

    /// Lays one packet out over as many pages as its lacing needs (one, for any Opus packet).
    private static func pages(
        for packet: [UInt8],
        flags: OggPage.Flags,
        granule: Int64,
        serial: UInt32,
        firstSequence: UInt32
    ) -> (bytes: [UInt8], count: UInt32) {
        // A packet is 255-byte segments plus one shorter (possibly empty) segment that ends it.
        var lacing = [UInt8](repeating: 255, count: packet.count / 255)
        lacing.append(UInt8(packet.count % 255))

        var bytes: [UInt8] = []
        var count: UInt32 = 0
        var bodyStart = 0
        var segmentStart = 0
        while segmentStart < lacing.count {
            let segmentEnd = min(segmentStart + 255, lacing.count)
            let table = Array(lacing[segmentStart..<segmentEnd])
            let bodyLength = table.reduce(0) { $0 + Int($1) }
            let isFirst = segmentStart == 0
            let isLast = segmentEnd == lacing.count
            var pageFlags: OggPage.Flags = []
            if isFirst { pageFlags.formUnion(flags.intersection(.beginningOfStream)) } else { pageFlags.insert(.continued) }
            if isLast { pageFlags.formUnion(flags.intersection(.endOfStream)) }
            let page = OggPage(
                flags: pageFlags,
                granulePosition: isLast ? granule : -1,
                serial: serial,
                sequence: firstSequence &+ count,
                segmentTable: table,
                body: Array(packet[bodyStart..<(bodyStart + bodyLength)])
            )
            bytes += page.bytes
            count += 1
            bodyStart += bodyLength
            segmentStart = segmentEnd
        }
        return (bytes, count)
    }
}
