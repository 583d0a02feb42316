import HummingbirdWebSocket
import Logging
import NIOCore

/// What a WebSocket request becomes once the gate has looked at it.
enum WebSocketRoute: Sendable {
    /// Runs as a task for as long as the connection is open: floor, booths, dashboards, refusals.
    case session(WebSocketDataHandler<WebSocketSessionContext>)
    /// Lives on its event loop as channel handlers only, with no task and no async stream: a listener.
    /// `install` runs on the event loop right after the upgrade, with the WebSocket codec in place,
    /// and adds the handlers that own the connection from then on.
    case onEventLoop(install: @Sendable (any Channel) throws -> Void)
    /// Not a WebSocket of ours: the upgrade is declined and the request answered as HTTP.
    case notWebSocket
}

/// The context a WebSocket session's handler gets.
struct WebSocketSessionContext: WebSocketContext {
    let logger: Logger
}
