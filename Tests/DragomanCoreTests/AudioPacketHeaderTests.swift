import DragomanCore
import Testing

struct AudioPacketHeaderTests {
    /// A header survives encoding and parsing, big-endian as docs/protocol.md says.
    @Test func roundTrip() throws {
        let header = AudioPacketHeader(
            kind: .opus,
            flags: .discontinuity,
            sequence: 0xDEAD_BEEF,
            ingestMicros: 1_795_683_600_000_001,
            sendMicros: 1_795_683_600_000_900
        )
        let bytes = header.bytes
        #expect(bytes.count == 24)
        #expect(Array(bytes[0..<8]) == [1, 1, 0, 1, 0xDE, 0xAD, 0xBE, 0xEF])
        let parsed = try bytes.withUnsafeBytes { try AudioPacketHeader(parsing: $0) }
        #expect(parsed == header)
    }

    /// Truncated, future-version and unknown-kind packets are refused with a reason, not a crash.
    @Test func malformedHeadersAreRefused() {
        var bytes = AudioPacketHeader(kind: .pcm, sequence: 1, ingestMicros: 2, sendMicros: 3).bytes
        #expect(throws: AudioPacketHeader.ParseError.tooShort(23)) {
            try Array(bytes.prefix(23)).withUnsafeBytes { try AudioPacketHeader(parsing: $0) }
        }
        bytes[0] = 2
        #expect(throws: AudioPacketHeader.ParseError.unsupportedVersion(2)) { try bytes.withUnsafeBytes { try AudioPacketHeader(parsing: $0) } }
        bytes[0] = 1
        bytes[1] = 9
        #expect(throws: AudioPacketHeader.ParseError.unknownKind(9)) { try bytes.withUnsafeBytes { try AudioPacketHeader(parsing: $0) } }
    }
}
