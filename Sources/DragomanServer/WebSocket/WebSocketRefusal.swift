import DragomanCore
import HummingbirdWebSocket
import NIOWebSocket

/// Refuses a WebSocket after the upgrade: one `error` message with the reason, then a close
/// code in the 4000 range, so a browser (which cannot read an HTTP error of an upgrade) can
/// show the listener what went wrong.
enum WebSocketRefusal {
    static func refuse(_ error: ProtocolError, outbound: WebSocketOutboundWriter) async {
        if let text = try? JSONText.encode(ControlMessages.ErrorMessage(error, fatal: true)) {
            try? await outbound.write(.text(text))
        }
        try? await outbound.close(.unknown(error.code.closeCode), reason: error.code.rawValue)
    }

    /// Refuses a text message over `limit` bytes from a `sender` (a listener, a console …), if it is one;
    /// returns whether it did.
    static func refuseOversized(_ text: String, limit: Int, from sender: String, outbound: WebSocketOutboundWriter) async -> Bool {
        guard text.utf8.count > limit else { return false }
        let error = ProtocolError(.tooLarge, "A \(sender) message may be at most \(limit) bytes; this one had \(text.utf8.count).")
        await refuse(error, outbound: outbound)
        return true
    }
}
