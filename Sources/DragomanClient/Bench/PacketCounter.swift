import DragomanCore

/// Finds the audio packets in a listener's byte stream, fed in pieces of any size, without
/// copying the stream: it keeps only a frame's first bytes when a read ends inside them.
///
/// Knows two framings: Dragoman's WebSocket (server frames are unmasked; a binary frame is an
/// audio packet whose header carries the sequence number and the ingest time) and an Ogg
/// stream (one page per packet; header pages, granule 0, are not audio).
struct PacketCounter {
    enum Framing: Sendable { case webSocket, ogg }

    /// What one frame or page said.
    enum Item: Equatable {
        /// An audio packet; `key` is the ingest time (WebSocket) or the granule position (Ogg).
        case audio(sequence: UInt32, key: UInt64)
        /// Consecutive audio packets in one message (a room set to 40 or 60 ms per message); `found` gets each as `audio`.
        case bundle([Packet])
        /// The server closed the WebSocket.
        case close
        /// The server asks for a pong with this payload (it closes connections that stay silent).
        case ping(payload: [UInt8])
        /// A control message, a ping, or an Ogg header page.
        case other
    }

    /// One packet of a bundle.
    struct Packet: Equatable {
        var sequence: UInt32
        var key: UInt64
    }

    /// The stream is not what `framing` says.
    struct Malformed: Error {}

    /// A pong for `payload`: a masked client frame (RFC 6455 §5.5.3); the key need not be secret here.
    static func pong(for payload: [UInt8]) -> [UInt8] {
        [0x8A, 0x80 | UInt8(payload.count), 0, 0, 0, 0] + payload
    }

    let framing: Framing
    /// Bytes of the frame in progress still to skip (its payload, once its head is decoded).
    private var skip = 0
    /// The head of a frame that a read cut short; empty almost always.
    private var pending: [UInt8] = []

    init(framing: Framing) {
        self.framing = framing
    }

    /// The most bytes a frame's head can need before it says what the frame is.
    private var longestHead: Int {
        switch framing {
        // A frame's header with a 64-bit length and a mask, then a ping's payload or a packet's sequence and ingest
        // time; a bundle is read whole (three Opus packets of 20 ms are well under 4 KiB).
        case .webSocket: 4096
        case .ogg: 27 + 255  // page header and the longest segment table
        }
    }

    /// Reads `bytes`, calling `found` for every frame whose head is complete.
    mutating func feed(_ bytes: UnsafeRawBufferPointer, found: (Item) -> Void) throws(Malformed) {
        var index = 0
        while index < bytes.count {
            if skip > 0 {
                let step = min(skip, bytes.count - index)
                skip -= step
                index += step
                continue
            }
            let rest = UnsafeRawBufferPointer(rebasing: bytes[index...])
            if pending.isEmpty {
                guard let head = try decode(rest) else {
                    pending.append(contentsOf: rest)
                    return
                }
                Self.report(head.item, to: found)
                let step = min(head.length, rest.count)
                skip = head.length - step
                index += step
            } else {
                let held = pending.count
                let take = min(rest.count, longestHead - held)
                pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: rest[..<take]))
                let decoded = pending.withUnsafeBytes { buffer in Result { () throws(Malformed) in try decode(buffer) } }
                guard let head = try decoded.get() else {
                    if pending.count >= longestHead { throw Malformed() }
                    index += take
                    continue
                }
                Self.report(head.item, to: found)
                let inPending = min(head.length, pending.count)
                skip = head.length - inPending
                index += inPending - held
                pending.removeAll(keepingCapacity: true)
            }
        }
    }

    private static func report(_ item: Item, to found: (Item) -> Void) {
        guard case .bundle(let packets) = item else { return found(item) }
        for packet in packets { found(.audio(sequence: packet.sequence, key: packet.key)) }
    }

    private func decode(_ bytes: UnsafeRawBufferPointer) throws(Malformed) -> (item: Item, length: Int)? {
        switch framing {
        case .webSocket: Self.decodeWebSocket(bytes)
        case .ogg: try Self.decodeOggPage(bytes)
        }
    }

    /// RFC 6455 §5.2.
    private static func decodeWebSocket(_ bytes: UnsafeRawBufferPointer) -> (item: Item, length: Int)? {
        guard bytes.count >= 2 else { return nil }
        let opcode = bytes[0] & 0x0F
        var payloadLength = Int(bytes[1] & 0x7F)
        var headerLength = 2
        if payloadLength == 126 {
            guard bytes.count >= 4 else { return nil }
            payloadLength = Int(bigEndian(bytes, at: 2, count: 2))
            headerLength = 4
        } else if payloadLength == 127 {
            guard bytes.count >= 10 else { return nil }
            payloadLength = Int(truncatingIfNeeded: bigEndian(bytes, at: 2, count: 8))
            headerLength = 10
        }
        if bytes[1] & 0x80 != 0 { headerLength += 4 }
        let length = headerLength + payloadLength
        switch opcode {
        case 0x2 where payloadLength >= 2 && bytes.count > headerLength && bytes[headerLength] == AudioMessage.bundleVersion:
            guard bytes.count >= length else { return nil }
            let message = UnsafeRawBufferPointer(rebasing: bytes[headerLength..<length])
            guard let packets = try? AudioMessage.packets(in: message) else { return (.other, length) }
            return (.bundle(packets.map { Packet(sequence: $0.header.sequence, key: $0.header.ingestMicros) }), length)
        case 0x2 where payloadLength >= AudioPacketHeader.size:
            guard bytes.count >= headerLength + 16 else { return nil }
            let sequence = UInt32(bigEndian(bytes, at: headerLength + 4, count: 4))
            let ingest = bigEndian(bytes, at: headerLength + 8, count: 8)
            return (.audio(sequence: sequence, key: ingest), length)
        case 0x8:
            return (.close, length)
        case 0x9 where payloadLength <= 16:
            guard bytes.count >= headerLength + payloadLength else { return nil }
            return (.ping(payload: Array(bytes[headerLength..<headerLength + payloadLength])), length)
        default:
            return (.other, length)
        }
    }

    /// RFC 3533 §6.
    private static func decodeOggPage(_ bytes: UnsafeRawBufferPointer) throws(Malformed) -> (item: Item, length: Int)? {
        guard bytes.count >= 27 else { return nil }
        guard bytes[0] == 0x4F, bytes[1] == 0x67, bytes[2] == 0x67, bytes[3] == 0x53 else { throw Malformed() }  // "OggS"
        let segments = Int(bytes[26])
        guard bytes.count >= 27 + segments else { return nil }
        var bodyLength = 0
        for i in 0..<segments { bodyLength += Int(bytes[27 + i]) }
        let granule = littleEndian(bytes, at: 6, count: 8)
        let sequence = UInt32(littleEndian(bytes, at: 18, count: 4))
        let length = 27 + segments + bodyLength
        guard granule > 0, granule != UInt64.max else { return (.other, length) }
        return (.audio(sequence: sequence, key: granule), length)
    }

    private static func bigEndian(_ bytes: UnsafeRawBufferPointer, at offset: Int, count: Int) -> UInt64 {
        var value: UInt64 = 0
        for i in 0..<count { value = value << 8 | UInt64(bytes[offset + i]) }
        return value
    }

    private static func littleEndian(_ bytes: UnsafeRawBufferPointer, at offset: Int, count: Int) -> UInt64 {
        var value: UInt64 = 0
        for i in (0..<count).reversed() { value = value << 8 | UInt64(bytes[offset + i]) }
        return value
    }
}
