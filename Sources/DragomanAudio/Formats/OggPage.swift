/// One Ogg page (RFC 3533): a 27-byte header, a segment table and a body
/// holding whole or partial packets.
public struct OggPage: Sendable, Equatable {
    /// The header-type flags of a page.
    public struct Flags: OptionSet, Sendable, Hashable {
        /// The raw header-type byte.
        public let rawValue: UInt8
        /// Creates flags from the header-type byte.
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// The page starts with the rest of a packet begun on the previous page.
        public static let continued = Flags(rawValue: 0x01)
        /// First page of a logical stream.
        public static let beginningOfStream = Flags(rawValue: 0x02)
        /// Last page of a logical stream.
        public static let endOfStream = Flags(rawValue: 0x04)
    }

    /// The header-type flags.
    public var flags: Flags
    /// Position (for Opus: samples at 48 kHz, pre-skip included) at the end of the last packet
    /// that ends on this page; -1 when no packet ends here.
    public var granulePosition: Int64
    /// The logical stream's serial number.
    public var serial: UInt32
    /// The page's sequence number within its logical stream.
    public var sequence: UInt32
    /// Lacing values: each is a segment's length; a value below 255 ends a packet.
    public var segmentTable: [UInt8]
    /// The concatenated segments.
    public var body: [UInt8]

    /// The largest possible page: header, 255 lacing values, 255 full segments.
    public static let maximumSize = 27 + 255 + 255 * 255

    /// Creates a page. `segmentTable` must have at most 255 entries summing to `body.count`.
    public init(flags: Flags, granulePosition: Int64, serial: UInt32, sequence: UInt32, segmentTable: [UInt8], body: [UInt8]) {
        precondition(segmentTable.count <= 255, "an Ogg page holds at most 255 segments")
        self.flags = flags
        self.granulePosition = granulePosition
        self.serial = serial
        self.sequence = sequence
        self.segmentTable = segmentTable
        self.body = body
    }

    /// The page's bytes, checksum included.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(27 + segmentTable.count + body.count)
        out.appendASCII("OggS")
        out.append(0)  // stream structure version
        out.append(flags.rawValue)
        out.appendLE(UInt64(bitPattern: granulePosition))
        out.appendLE(serial)
        out.appendLE(sequence)
        out.appendLE(UInt32(0))  // CRC, filled in below
        out.append(UInt8(segmentTable.count))
        out.append(contentsOf: segmentTable)
        out.append(contentsOf: body)
        let crc = out.withUnsafeBytes { OggCRC.checksum(ofPage: $0) }
        out.setLE(crc, at: 22)
        return out
    }

    /// Parses the page that starts at `offset`.
    ///
    /// - Returns: the page and its length in bytes, or `nil` when `bytes` ends before the page does.
    /// - Throws: `AudioError` with `.invalidOgg` when the bytes there are not an Ogg page
    ///   (checked as soon as the first bytes arrive), `.checksumMismatch` for a bad CRC.
    public static func parse(_ bytes: [UInt8], at offset: Int = 0) throws -> (page: OggPage, length: Int)? {
        try parse(bytes, at: offset, streamOffset: offset)
    }

    /// `parse(_:at:)`, naming `streamOffset` as the page's position in error messages.
    static func parse(_ bytes: [UInt8], at offset: Int, streamOffset: Int) throws -> (page: OggPage, length: Int)? {
        let available = bytes.count - offset
        let capture = Array("OggS".utf8)
        let prefix = min(available, 4)
        guard bytes[offset..<(offset + prefix)].elementsEqual(capture[..<prefix]) else {
            throw AudioError(
                .invalidOgg,
                "not an Ogg page: expected 'OggS' at byte \(streamOffset), found \(quotedASCII(bytes[offset..<(offset + prefix)]))"
            )
        }
        guard available >= 27 else { return nil }
        guard bytes[offset + 4] == 0 else {
            throw AudioError(.invalidOgg, "Ogg page at byte \(streamOffset) has stream structure version \(bytes[offset + 4]); only 0 exists")
        }
        let segmentCount = Int(bytes[offset + 26])
        guard available >= 27 + segmentCount else { return nil }
        let segmentTable = Array(bytes[(offset + 27)..<(offset + 27 + segmentCount)])
        let bodyLength = segmentTable.reduce(0) { $0 + Int($1) }
        let length = 27 + segmentCount + bodyLength
        guard available >= length else { return nil }

        let stored = bytes.readLE32(offset + 22)
        let computed = bytes.withUnsafeBytes { OggCRC.checksum(ofPage: UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + length)])) }
        let sequence = bytes.readLE32(offset + 18)
        guard stored == computed else {
            throw AudioError(
                .checksumMismatch,
                "Ogg page \(sequence) at byte \(streamOffset) is corrupt: stored CRC 0x\(String(stored, radix: 16)), computed 0x\(String(computed, radix: 16))"
            )
        }
        let page = OggPage(
            flags: Flags(rawValue: bytes[offset + 5]),
            granulePosition: Int64(bitPattern: bytes.readLE64(offset + 6)),
            serial: bytes.readLE32(offset + 14),
            sequence: sequence,
            segmentTable: segmentTable,
            body: Array(bytes[(offset + 27 + segmentCount)..<(offset + length)])
        )
        return (page, length)
    }
}
