/// A binary message a listener receives: one audio packet, or a bundle of consecutive ones
/// (see docs/protocol.md, "audio packets").
///
/// A room with many phones may send 40 or 60 ms per message instead of 20 (`EventDefinition.packetMs`):
/// the packets stay 20 ms Opus frames, each with its own header, and the server writes two or three of
/// them as one message, which divides its per-message work and the venue Wi-Fi's frames by as much.
///
/// A single packet starts with its header's version byte, 1. A bundle starts with 2, then the number of
/// packets (1–255), then each packet as a big-endian 16-bit length and the packet itself (header and payload).
public enum AudioMessage {
    /// The first byte of a bundle.
    public static let bundleVersion: UInt8 = 2
    /// The most packets one bundle may hold.
    public static let maximumBundle = 255

    /// A packet found in a message: its header and where its payload lies in the message's bytes.
    public struct Packet: Equatable, Sendable {
        public var header: AudioPacketHeader
        public var payload: Range<Int>
    }

    /// Why bytes are not a valid message.
    public enum ParseError: Error, Equatable, Sendable, CustomStringConvertible {
        case packet(AudioPacketHeader.ParseError)
        case truncatedBundle(Int)

        public var description: String {
            switch self {
            case .packet(let error): error.description
            case .truncatedBundle(let n): "audio bundle cut short: \(n) bytes do not hold the packets it announces"
            }
        }
    }

    /// The packets of one binary message, in order.
    public static func packets(in bytes: UnsafeRawBufferPointer) throws(ParseError) -> [Packet] {
        guard bytes.first == bundleVersion else {
            do {
                return [Packet(header: try AudioPacketHeader(parsing: bytes), payload: AudioPacketHeader.size..<bytes.count)]
            } catch {
                throw .packet(error)
            }
        }
        guard bytes.count >= 2 else { throw .truncatedBundle(bytes.count) }
        let count = Int(bytes[1])
        var packets: [Packet] = []
        packets.reserveCapacity(count)
        var offset = 2
        for _ in 0..<count {
            guard offset + 2 <= bytes.count else { throw .truncatedBundle(bytes.count) }
            let length = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
            offset += 2
            guard offset + length <= bytes.count else { throw .truncatedBundle(bytes.count) }
            do {
                let header = try AudioPacketHeader(parsing: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length]))
                packets.append(Packet(header: header, payload: offset + AudioPacketHeader.size..<offset + length))
            } catch {
                throw .packet(error)
            }
            offset += length
        }
        return packets
    }

    /// The size of a bundle of packets with these payload sizes.
    public static func bundleSize(payloads: [Int]) -> Int {
        2 + payloads.reduce(0) { $0 + 2 + AudioPacketHeader.size + $1 }
    }

    /// Writes a bundle of `packets` (headers and payloads) into `buffer`, which must hold `bundleSize`; returns the bytes written.
    public static func writeBundle(
        _ packets: [(header: AudioPacketHeader, payload: [UInt8])],
        into buffer: UnsafeMutableRawBufferPointer
    ) -> Int {
        precondition((1...maximumBundle).contains(packets.count))
        buffer[0] = bundleVersion
        buffer[1] = UInt8(packets.count)
        var offset = 2
        for packet in packets {
            let length = AudioPacketHeader.size + packet.payload.count
            precondition(length <= Int(UInt16.max))
            buffer[offset] = UInt8(length >> 8)
            buffer[offset + 1] = UInt8(length & 0xFF)
            offset += 2
            packet.header.write(into: UnsafeMutableRawBufferPointer(rebasing: buffer[offset..<offset + AudioPacketHeader.size]))
            offset += AudioPacketHeader.size
            packet.payload.withUnsafeBytes { payload in
                UnsafeMutableRawBufferPointer(rebasing: buffer[offset..<offset + payload.count]).copyMemory(from: payload)
            }
            offset += packet.payload.count
        }
        return offset
    }
}
