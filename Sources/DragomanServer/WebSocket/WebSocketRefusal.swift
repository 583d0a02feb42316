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
}
