import DragomanClient
import DragomanCore
import DragomanServerTesting
import Testing

@Suite(.serialized)
struct ReconnectStormTests {
    /// A hall's worth of phones (scaled down) dropped at once all play again, and none loses a packet while
    /// connected. How fast they are back is the benchmark's figure (docs/benchmarks.md: 1,000 in 0.4 s), not a
    /// bar for a test that must pass on a busy machine.
    @Test func everyListenerComesBack() async throws {
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
            #expect(result.failedConnections == 0)
            #expect(result.lost == 0)
        }
    }
}
