import ServiceLifecycle

/// Closes every listener's connection when the server stops. Listeners live on their event loops
/// with no task (`ListenerConnection`), so the HTTP server's shutdown, which waits for its
/// connections' tasks, would leave them open. Placed first among the services, so that it stops
/// last: after the ports stopped accepting, so a listener that reconnects at once finds no server.
struct ListenerShutdown: Service {
    let events: LiveEvents

    func run() async throws {
        try? await gracefulShutdown()  // returns at shutdown, and throws when cancelled: either way, the end
        events.closeListenersGoingAway()
    }
}
