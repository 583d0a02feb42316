/// The Ogg Opus comment header (RFC 7845 §5.2): a vendor string and
/// `NAME=value` comments.
public struct OpusTags: Sendable, Equatable {
    /// Who wrote the stream.
    public var vendor: String
    /// User comments, each `NAME=value` (e.g. `TITLE=Floor`).
    public var comments: [String]

    /// Creates a comment header.
    public init(vendor: String = "Dragoman", comments: [String] = []) {
        self.vendor = vendor
        self.comments = comments
    }

    /// Parses an `OpusTags` packet.
    ///
    /// - Throws: `AudioError` with `.invalidOgg` when the packet is not one or its lengths overrun it.
    public init(parsing bytes: [UInt8]) throws {
        guard bytes.matches("OpusTags", at: 0) else {
            throw AudioError(.invalidOgg, "not an Opus comment header: expected 'OpusTags' at byte 0, found \(quotedASCII(bytes.prefix(8)))")
        }
        var offset = 8
        func string() throws -> String {
            guard offset + 4 <= bytes.count else {
                throw AudioError(.invalidOgg, "Opus comment header ends at byte \(bytes.count), inside a length field at \(offset)")
            }
            let length = Int(bytes.readLE32(offset))
            offset += 4
            guard length <= bytes.count - offset else {
                throw AudioError(
                    .invalidOgg,
                    "Opus comment header declares a \(length)-byte string at byte \(offset), past its end at \(bytes.count)"
                )
            }
            defer { offset += length }
            return String(decoding: bytes[offset..<(offset + length)], as: UTF8.self)
        }
        vendor = try string()
        guard offset + 4 <= bytes.count else {
            throw AudioError(.invalidOgg, "Opus comment header ends before its comment count")
        }
        let count = Int(bytes.readLE32(offset))
        offset += 4
        // Each comment needs at least its 4-byte length, so a huge count is caught before looping.
        guard count <= (bytes.count - offset) / 4 else {
            throw AudioError(.invalidOgg, "Opus comment header declares \(count) comments, more than its \(bytes.count) bytes can hold")
        }
        comments = try (0..<count).map { _ in try string() }
    }

    /// The packet bytes.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.appendASCII("OpusTags")
        out.appendLE(UInt32(vendor.utf8.count))
        out.appendASCII(vendor)
        out.appendLE(UInt32(comments.count))
        for comment in comments {
            out.appendLE(UInt32(comment.utf8.count))
            out.appendASCII(comment)
        }
        return out
    }
}
