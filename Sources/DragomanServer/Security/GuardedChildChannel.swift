import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's child channel (HTTP/1 with WebSocket upgrade) with a `ConnectionGuard` in front
/// of it, and a connection that is always closed once its handler is done.
struct GuardedChildChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base
    let admission: ConnectionAdmission

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        do {
            try channel.pipeline.syncOperations.addHandler(ConnectionGuard(admission: admission))
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return base.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
        // A request the HTTP parser gave up on can leave the connection open with nobody reading it.
        try? await value.channel.close()
    }
}
