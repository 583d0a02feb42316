/// Follows the frames a WebSocket client sends, header by header, to enforce what RFC 6455 §5.1
/// asks of a server: every client frame is masked, and an unmasked one ends the connection with
/// 1002. Pure: it sees bytes, keeps only where the next header starts, and never holds a payload.
struct ClientFrameCheck: Equatable {
    private enum Position: Equatable {
        /// Inside a header: the bytes of it seen so far (at most 14).
        case header([UInt8])
        /// Inside a payload: this many bytes to skip.
        case payload(UInt64)
    }

    private var position: Position = .header([])

    /// Reads `bytes`; returns false at the first unmasked frame. A payload is skipped by its length,
    /// never walked byte by byte: this runs on every byte a client sends (microphones included).
    mutating func read(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        while index < bytes.count {
            switch position {
            case .payload(let remaining):
                let skipped = min(remaining, UInt64(bytes.count - index))
                index += Int(skipped)
                position = skipped == remaining ? .header([]) : .payload(remaining - skipped)
            case .header(var header):
                header.append(bytes[index])
                index += 1
                if header.count == 2, header[1] & 0x80 == 0 { return false }
                guard header.count >= 2, header.count == Self.headerLength(header) else {
                    position = .header(header)
                    continue
                }
                let payload = Self.payloadLength(header)
                position = payload > 0 ? .payload(payload) : .header([])
            }
        }
        return true
    }

    /// Reads `bytes`; returns false at the first unmasked frame.
    mutating func read(_ bytes: some Collection<UInt8>) -> Bool {
        Array(bytes).withUnsafeBytes { read($0) }
    }

    /// The whole header's length, once its first two bytes are known: 2, plus 2 or 8 of extended
    /// length, plus 4 of mask key.
    private static func headerLength(_ header: [UInt8]) -> Int {
        let base = Int(header[1] & 0x7F)
        return 2 + (base == 126 ? 2 : base == 127 ? 8 : 0) + 4
    }

    private static func payloadLength(_ header: [UInt8]) -> UInt64 {
        let base = UInt64(header[1] & 0x7F)
        switch base {
        case 126: return UInt64(header[2]) << 8 | UInt64(header[3])
        case 127: return header[2..<10].reduce(0) { $0 << 8 | UInt64($1) }
        default: return base
        }
    }
}
