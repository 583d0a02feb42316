import DragomanClient
import DragomanCore
import DragomanServerTesting
import Foundation
import Testing

@testable import DragomanServer

@Suite(.serialized)
struct MetricsTests {
    /// /metrics counts listeners and packets per channel, in the Prometheus text format.
    @Test func metricsCountListenersAndPackets() async throws {
        try await LiveServer.with { server in
            let event = try server.createEvent(languages: ["ru"])
            async let listening = ChannelListener(server: server.address, event: event.code.value, channel: "ru", duration: 10, idleTimeout: 3).run {
                _ in
            }
            let live = try server.live(event)
            try await wait("the listener") { live.statistics(.language(LanguageTag("ru")!))?.listeners == 1 }
            let during = MetricsRoute(events: server.venue.events).render()
            #expect(during.contains("dragoman_listeners{event=\"\(event.code)\",channel=\"ru\"} 1.0"))
            #expect(during.contains("dragoman_listeners_direct{event=\"\(event.code)\",channel=\"ru\"} 1.0"))
            _ = try await server.publishFloor(event, seconds: 1)
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
