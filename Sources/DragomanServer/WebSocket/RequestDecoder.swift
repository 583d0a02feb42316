import DragomanCore
import Foundation

/// Reads a client's text message once into the fields of `ControlMessages.RequestFields`, which
/// the typed requests (`ListenerRequest`, `ConsoleRequest`, `DashboardRequest`) then check.
enum RequestDecoder {
    static func fields(of text: String) throws(ProtocolError) -> ControlMessages.RequestFields {
        guard let fields = try? JSONDecoder().decode(ControlMessages.RequestFields.self, from: Data(text.utf8)) else {
            throw ControlMessages.notAMessage
        }
        return fields
    }
}
