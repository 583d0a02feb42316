/// The 24-byte header in front of every audio packet a listener receives (see docs/protocol.md).
///
/// Big-endian: version (1), kind (1), flags (2), sequence (4), ingest time µs (8), send time µs (8).
public struct AudioPacketHeader: Equatable, Sendable {
    /// The encoded size of a header.
    public static let size = 24
    /// The protocol version this code writes and reads.
    public static let version: UInt8 = 1

    /// What the payload is.
    public enum Kind: UInt8, Sendable {
        /// One Opus packet of 20 ms, 48 kHz mono.
        case opus = 1
        /// 960 samples of signed 16-bit little-endian PCM, 48 kHz mono.
        case pcm = 2
    }

    /// Flag bits.
    public struct Flags: OptionSet, Sendable, Hashable {
        public let rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }
        /// The source changed before this packet: decoders reset their expectations.
        public static let discontinuity = Flags(rawValue: 1)
    }

    public var kind: Kind
    public var flags: Flags
    /// +1 per 20 ms frame on one connection's channel; a gap means lost frames.
    public var sequence: UInt32
    /// When the server received the audio that completed this frame (µs since the Unix epoch).
    public var ingestMicros: UInt64
    /// When the server built the packet, right before writing it (µs since the Unix epoch).
    public var sendMicros: UInt64

    public init(kind: Kind, flags: Flags = [], sequence: UInt32, ingestMicros: UInt64, sendMicros: UInt64) {
        self.kind = kind
        self.flags = flags
        self.sequence = sequence
        self.ingestMicros = ingestMicros
        self.sendMicros = sendMicros
    }

    /// Writes the header into the first 24 bytes of `buffer`.
    public func write(into buffer: UnsafeMutableRawBufferPointer) {
        precondition(buffer.count >= Self.size)
        buffer[0] = Self.version
        buffer[1] = kind.rawValue
        buffer.storeBytes(of: flags.rawValue.bigEndian, toByteOffset: 2, as: UInt16.self)
        buffer.storeBytes(of: sequence.bigEndian, toByteOffset: 4, as: UInt32.self)
        buffer.storeBytes(of: ingestMicros.bigEndian, toByteOffset: 8, as: UInt64.self)
        buffer.storeBytes(of: sendMicros.bigEndian, toByteOffset: 16, as: UInt64.self)
    }

    /// The header as bytes.
    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: Self.size)
        out.withUnsafeMutableBytes { write(into: $0) }
        return out
    }

    /// Why bytes are not a valid packet header.
    public enum ParseError: Error, Equatable, Sendable, CustomStringConvertible {
        case tooShort(Int)
        case unsupportedVersion(UInt8)
        case unknownKind(UInt8)

        public var description: String {
            switch self {
            case .tooShort(let n): "audio packet too short: \(n) bytes, a header has \(AudioPacketHeader.size)"
            case .unsupportedVersion(let v): "unsupported audio packet version \(v) (this client speaks version \(AudioPacketHeader.version))"
            case .unknownKind(let k): "unknown audio packet kind \(k)"
            }
        }
    }

    /// Reads a header from the start of `bytes`.
    public init(parsing bytes: UnsafeRawBufferPointer) throws(ParseError) {
        guard bytes.count >= Self.size else { throw .tooShort(bytes.count) }
        guard bytes[0] == Self.version else { throw .unsupportedVersion(bytes[0]) }
        guard let kind = Kind(rawValue: bytes[1]) else { throw .unknownKind(bytes[1]) }
        self.kind = kind
        self.flags = Flags(rawValue: UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: 2, as: UInt16.self)))
        self.sequence = UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        self.ingestMicros = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        self.sendMicros = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
    }
}
