import NIOCore
import NIOWebSocket

/// Puts a peer's data frames together into messages, bounded in size, for a connection that
/// handles its WebSocket frames itself (a listener). Pure: frames in, verdicts out.
struct MessageAssembly {
    /// What a data frame amounts to.
    enum Verdict: Equatable {
        /// Part of a message; more frames follow.
        case incomplete
        /// A whole text message.
        case text(String)
        /// A whole binary message.
        case binary(ByteBuffer)
        /// The message has grown past the limit: `size` bytes so far.
        case tooLarge(size: Int)
        /// A text message that is not UTF-8 (close code 1007).
        case invalidUTF8
        /// Frames out of order: a continuation with nothing to continue, or a new message inside one (close code 1002).
        case outOfOrder
    }

    /// The largest message, in bytes, across all its frames.
    let limit: Int
    private var opcode: WebSocketOpcode?
    private var parts = ByteBuffer()

    init(limit: Int) {
        self.limit = limit
    }

    /// Takes the next data frame (text, binary or continuation).
    mutating func take(_ frame: WebSocketFrame) -> Verdict {
        let starting: Bool
        switch frame.opcode {
        case .text, .binary: starting = true
        case .continuation: starting = false
        default: return .outOfOrder
        }
        guard starting == (opcode == nil) else { return .outOfOrder }
        if starting { opcode = frame.opcode }
        var data = frame.unmaskedData
        let size = parts.readableBytes + data.readableBytes
        guard size <= limit else {
            reset()
            return .tooLarge(size: size)
        }
        parts.writeBuffer(&data)
        guard frame.fin else { return .incomplete }
        defer { reset() }
        if opcode == .binary { return .binary(parts) }
        guard let text = String(validating: parts.readableBytesView, as: UTF8.self) else { return .invalidUTF8 }
        return .text(text)
    }

    private mutating func reset() {
        opcode = nil
        parts = ByteBuffer()
    }
}
