import DragomanCore
import Testing

/// A listener's binary message is one packet, or a bundle of consecutive ones that reads back packet by packet.
struct AudioMessageTests {
    func header(_ sequence: UInt32, flags: AudioPacketHeader.Flags = []) -> AudioPacketHeader {
        AudioPacketHeader(kind: .opus, flags: flags, sequence: sequence, ingestMicros: 1_000 + UInt64(sequence), sendMicros: 2_000)
    }

    @Test func aBundleReadsBackAsItsPacketsInOrder() throws {
        let packets: [(header: AudioPacketHeader, payload: [UInt8])] = [
            (header(7, flags: .discontinuity), [0xF8, 0xFF, 0xFE]), (header(8), []), (header(9), Array(repeating: 0x55, count: 300)),
        ]
        var bytes = [UInt8](repeating: 0, count: AudioMessage.bundleSize(payloads: packets.map(\.payload.count)))
        let written = bytes.withUnsafeMutableBytes { AudioMessage.writeBundle(packets, into: $0) }
        #expect(written == bytes.count && bytes[0] == 2 && bytes[1] == 3)
        let read = try bytes.withUnsafeBytes { try AudioMessage.packets(in: $0) }
        #expect(read.map(\.header) == packets.map(\.header))
        #expect(read.map { Array(bytes[$0.payload]) } == packets.map(\.payload))
    }

    @Test func aSinglePacketIsAMessageOfOne() throws {
        let bytes = header(3).bytes + [1, 2, 3]
        let read = try bytes.withUnsafeBytes { try AudioMessage.packets(in: $0) }
        #expect(read.count == 1 && read[0].header.sequence == 3 && Array(bytes[read[0].payload]) == [1, 2, 3])
    }

    @Test func aBundleCutShortOrHoldingNonsenseIsRefusedWithTheReason() {
        var bytes = [UInt8](repeating: 0, count: AudioMessage.bundleSize(payloads: [4, 4]))
        _ = bytes.withUnsafeMutableBytes { AudioMessage.writeBundle([(header(1), [1, 2, 3, 4]), (header(2), [5, 6, 7, 8])], into: $0) }
        let cut = Array(bytes.dropLast(3))
        #expect(throws: AudioMessage.ParseError.truncatedBundle(cut.count)) { try cut.withUnsafeBytes { try AudioMessage.packets(in: $0) } }
        var wrongVersion = bytes
        wrongVersion[4] = 9  // the first packet's version byte
        #expect(throws: AudioMessage.ParseError.packet(.unsupportedVersion(9))) {
            try wrongVersion.withUnsafeBytes { try AudioMessage.packets(in: $0) }
        }
        #expect(throws: AudioMessage.ParseError.packet(.unsupportedVersion(7))) {
            try [UInt8](repeating: 7, count: 30).withUnsafeBytes { try AudioMessage.packets(in: $0) }
        }
    }

    /// A slow listener's queue counts the packets it lost, not the messages: a dropped bundle of three is three.
    @Test func aDroppedBundleCountsAsItsPackets() {
        var queue = DropOldestQueue<Int>(capacity: 2)
        queue.append(3, droppingFirst: { _ in true }, weight: { $0 })
        queue.append(1, droppingFirst: { _ in true }, weight: { $0 })
        queue.append(2, droppingFirst: { _ in true }, weight: { $0 })
        #expect(queue.droppedTotal == 3 && queue.popFirst() == 1)
    }
}
