import DragomanClient
import DragomanCore
import DragomanServerTesting
import Testing

@Suite(.serialized)
struct ReconnectStormTests {
    /// A hall's worth of phones (scaled down) dropped at once all play again within 5 s, and none loses a packet
    /// while connected.
    @Test func everyListenerIsBackWithinFiveSeconds() async throws {
        try await LiveServer.with { server in
            let event = try server.createEvent(languages: ["en"])
            let options = LoadGenerator.Options(
                server: server.address,
                event: event.code.value,
                floorToken: event.floorToken,
                listeners: 300,
                probes: 5,
                warmup: 1,
                duration: 4,
                reconnectStorm: true
            )
            let result = try await LoadGenerator(options: options).run()
            #expect(result.stormRecovered == 300)
            #expect((result.stormRecoverySeconds ?? 99) < 5)
            #expect(result.failedConnections == 0)
            #expect(result.lost == 0)
        }
    }
}
