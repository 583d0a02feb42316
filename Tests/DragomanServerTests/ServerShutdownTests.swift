import DragomanServerTesting
import Testing

/// A stopping server lets its listeners go: they hold no task of the server, so it closes them itself.
struct ServerShutdownTests {
    /// Listeners on two channels, one of them over the codec-less caption path, are told the server is going away
    /// (1001), so players reconnect to the next server instead of waiting on a dead connection.
    @Test func listenersAreClosedWithGoingAwayWhenTheServerStops() async throws {
        try await LiveServer.with { server in
            let event = try server.createEvent()
            let floor = try await server.listener(event)
            let captions = try await server.listener(event, channel: "kk", query: "codec=none")
            await server.stop()
            #expect(try await floor.closed() == 1001)
            #expect(try await captions.closed() == 1001)
        }
    }
}
