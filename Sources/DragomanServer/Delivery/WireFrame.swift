import DragomanCore
import NIOCore

/// Builds complete server-to-client WebSocket frames (RFC 6455 §5.2) once, so the
/// identical bytes can be written to every listener without re-encoding per connection.
///
/// Server frames are never masked, which is what makes sharing the bytes possible.
enum WireFrame {
    /// A binary frame holding an audio packet: the 24-byte header, then `payload`.
    static func audio(_ header: AudioPacketHeader, payload: UnsafeRawBufferPointer, allocator: ByteBufferAllocator) -> ByteBuffer {
        let length = AudioPacketHeader.size + payload.count
        var buffer = allocator.buffer(capacity: length + 4)
        writeFrameHeader(opcode: 0x2, length: length, into: &buffer)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: AudioPacketHeader.size) { bytes in
            header.write(into: bytes)
            return AudioPacketHeader.size
        }
        buffer.writeBytes(payload)
        return buffer
    }

    /// A binary frame holding a bundle of consecutive audio packets (`AudioMessage`).
    static func bundle(_ packets: [(header: AudioPacketHeader, payload: [UInt8])], allocator: ByteBufferAllocator) -> ByteBuffer {
        let length = AudioMessage.bundleSize(payloads: packets.map(\.payload.count))
        var buffer = allocator.buffer(capacity: length + 4)
        writeFrameHeader(opcode: 0x2, length: length, into: &buffer)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { bytes in
            AudioMessage.writeBundle(packets, into: bytes)
        }
        return buffer
    }

    /// How many audio packets a frame built here holds: 0 for a control message, the count for a bundle.
    static func packetCount(_ frame: ByteBuffer) -> Int {
        guard isBinary(frame), let lengthByte = frame.getInteger(at: frame.readerIndex + 1, as: UInt8.self) else { return 0 }
        // Server frames are unmasked: the payload starts after 2, 4 or 10 bytes.
        let payloadStart = frame.readerIndex + (lengthByte < 126 ? 2 : lengthByte == 126 ? 4 : 10)
        guard frame.getInteger(at: payloadStart, as: UInt8.self) == AudioMessage.bundleVersion else { return 1 }
        return Int(frame.getInteger(at: payloadStart + 1, as: UInt8.self) ?? 1)
    }

    /// Whether a frame built here is binary (audio), which a slow listener may lose, rather than a
    /// control message, which it must not.
    static func isBinary(_ frame: ByteBuffer) -> Bool {
        frame.getInteger(at: frame.readerIndex, as: UInt8.self).map { $0 & 0x0F == 0x2 } ?? false
    }

    /// A text frame.
    static func text(_ string: String, allocator: ByteBufferAllocator) -> ByteBuffer {
        let length = string.utf8.count
        var buffer = allocator.buffer(capacity: length + 10)
        writeFrameHeader(opcode: 0x1, length: length, into: &buffer)
        buffer.writeString(string)
        return buffer
    }

    /// A close frame with a status code and a short reason (at most 123 bytes of UTF-8).
    static func close(code: UInt16, reason: String, allocator: ByteBufferAllocator) -> ByteBuffer {
        let reasonBytes = Array(reason.utf8.prefix(123))
        var buffer = allocator.buffer(capacity: 4 + reasonBytes.count)
        writeFrameHeader(opcode: 0x8, length: 2 + reasonBytes.count, into: &buffer)
        buffer.writeInteger(code)
        buffer.writeBytes(reasonBytes)
        return buffer
    }

    private static func writeFrameHeader(opcode: UInt8, length: Int, into buffer: inout ByteBuffer) {
        buffer.writeInteger(0x80 | opcode)  // FIN + opcode
        switch length {
        case ..<126:
            buffer.writeInteger(UInt8(length))
        case ..<65536:
            buffer.writeInteger(UInt8(126))
            buffer.writeInteger(UInt16(length))
        default:
            buffer.writeInteger(UInt8(127))
            buffer.writeInteger(UInt64(length))
        }
    }
}
