import DragomanCore
import Testing

@testable import DragomanClient

/// The load generator's stream parser finds every packet however the stream is cut into reads.
struct PacketCounterTests {
    private static func webSocketFrame(opcode: UInt8, payload: [UInt8]) -> [UInt8] {
        var frame: [UInt8] = [0x80 | opcode]
        if payload.count < 126 {
            frame.append(UInt8(payload.count))
        } else {
            frame += [126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        }
        return frame + payload
    }

    private static func audioPacket(sequence: UInt32, ingest: UInt64, opusBytes: Int) -> [UInt8] {
        var packet: [UInt8] = [1, 1, 0, 0]
        packet += withUnsafeBytes(of: sequence.bigEndian, Array.init)
        packet += withUnsafeBytes(of: ingest.bigEndian, Array.init)
        packet += [UInt8](repeating: 0, count: 8) + [UInt8](repeating: 0xAB, count: opusBytes)
        return packet
    }

    private static func oggPage(granule: UInt64, sequence: UInt32, body: Int) -> [UInt8] {
        var page: [UInt8] = Array("OggS".utf8) + [0, 0]
        page += withUnsafeBytes(of: granule.littleEndian, Array.init)
        page += [1, 0, 0, 0]
        page += withUnsafeBytes(of: sequence.littleEndian, Array.init)
        page += [0, 0, 0, 0, 1, UInt8(body)]
        return page + [UInt8](repeating: 0x11, count: body)
    }

    private static func items(_ stream: [UInt8], framing: PacketCounter.Framing, readSize: Int) throws -> [PacketCounter.Item] {
        var counter = PacketCounter(framing: framing)
        var found: [PacketCounter.Item] = []
        var start = 0
        while start < stream.count {
            let end = min(stream.count, start + readSize)
            try stream[start..<end].withUnsafeBytes { bytes in try counter.feed(bytes) { found.append($0) } }
            start = end
        }
        return found
    }

    @Test(arguments: [1, 2, 3, 7, 25, 4096])
    func webSocketPacketsAreFoundInReadsOfAnySize(readSize: Int) throws {
        let stream =
            Self.webSocketFrame(opcode: 0x2, payload: Self.audioPacket(sequence: 7, ingest: 1_000_001, opusBytes: 80))
            + Self.webSocketFrame(opcode: 0x1, payload: Array(#"{"type":"carrying"}"#.utf8))
            + Self.webSocketFrame(opcode: 0x9, payload: Array(1...16))
            + Self.webSocketFrame(opcode: 0x2, payload: Self.audioPacket(sequence: 8, ingest: 1_020_001, opusBytes: 300))
            + Self.webSocketFrame(opcode: 0x8, payload: [0x03, 0xE8])
        let found = try Self.items(stream, framing: .webSocket, readSize: readSize)
        #expect(found == [.audio(sequence: 7, key: 1_000_001), .other, .ping(payload: Array(1...16)), .audio(sequence: 8, key: 1_020_001), .close])
    }

    /// A room set to 60 ms sends three packets per message: each is found, with its own sequence and ingest time.
    @Test(arguments: [1, 3, 30, 4096])
    func bundledPacketsAreFoundOneByOne(readSize: Int) throws {
        let packets: [(header: AudioPacketHeader, payload: [UInt8])] = (0..<3).map { n in
            let header = AudioPacketHeader(kind: .opus, sequence: 10 + UInt32(n), ingestMicros: 2_000_000 + UInt64(n) * 20_000, sendMicros: 0)
            return (header, [UInt8](repeating: 0x42, count: 90))
        }
        var bundle = [UInt8](repeating: 0, count: AudioMessage.bundleSize(payloads: packets.map(\.payload.count)))
        _ = bundle.withUnsafeMutableBytes { AudioMessage.writeBundle(packets, into: $0) }
        let stream =
            Self.webSocketFrame(opcode: 0x2, payload: bundle) + Self.webSocketFrame(opcode: 0x1, payload: Array(#"{"type":"alert"}"#.utf8))
            + Self.webSocketFrame(opcode: 0x2, payload: Self.audioPacket(sequence: 13, ingest: 2_060_000, opusBytes: 80))
        let found = try Self.items(stream, framing: .webSocket, readSize: readSize)
        let expected: [PacketCounter.Item] = [
            .audio(sequence: 10, key: 2_000_000), .audio(sequence: 11, key: 2_020_000), .audio(sequence: 12, key: 2_040_000), .other,
            .audio(sequence: 13, key: 2_060_000),
        ]
        #expect(found == expected)
    }

    @Test(arguments: [1, 5, 28, 4096])
    func oggAudioPagesAreFoundAndHeaderPagesSkipped(readSize: Int) throws {
        let stream =
            Self.oggPage(granule: 0, sequence: 0, body: 19) + Self.oggPage(granule: 960, sequence: 2, body: 90)
            + Self.oggPage(granule: 1920, sequence: 3, body: 255)
        let found = try Self.items(stream, framing: .ogg, readSize: readSize)
        #expect(found == [.other, .audio(sequence: 2, key: 960), .audio(sequence: 3, key: 1920)])
    }

    @Test func aStreamThatIsNotOggIsRefused() {
        #expect(throws: PacketCounter.Malformed.self) {
            _ = try Self.items(Array("HTTP/1.1 404 Not Found\r\n\r\nno such mount".utf8), framing: .ogg, readSize: 64)
        }
    }
}
