import DragomanClient
import DragomanCore
@testable import DragomanServer
import Foundation
import Testing

@Suite(.serialized)
struct MetricsTests {
    /// /metrics counts listeners and packets per channel, in the Prometheus text format.
    @Test func metricsCountListenersAndPackets() async throws {
        try await LiveServer.with { server in
            let event = try server.createEvent(languages: ["ru"])
            async let listening = ChannelListener(server: server.address, event: event.code.value, channel: "ru", duration: 10, idleTimeout: 1).run { _ in }
            try await Task.sleep(for: .milliseconds(300))
            let during = MetricsRoute(events: server.venue.events).render()
            #expect(during.contains("dragoman_listeners{event=\"\(event.code)\",channel=\"ru\"} 1.0"))
            _ = try await FloorIngest(server: server.address, event: event.code.value, token: event.floorToken, source: .audio(FanoutTests.tone(seconds: 1))).run()
            _ = try await listening
            let after = MetricsRoute(events: server.venue.events).render()
            #expect(after.contains("# TYPE dragoman_packets_sent_total counter"))
            let sent = after.split(separator: "\n").first { $0.hasPrefix("dragoman_packets_sent_total{event=\"\(event.code)\",channel=\"ru\"}") }
            #expect(sent.flatMap { Double($0.split(separator: " ").last!) }.map { $0 >= 50 } == true)
            #expect(after.contains("dragoman_processing_delay_milliseconds_count{event=\"\(event.code)\",channel=\"ru\"}"))
            #expect(after.contains("process_open_fds"))
        }
    }
}
