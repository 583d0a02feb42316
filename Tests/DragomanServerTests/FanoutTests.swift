import DragomanAudio
import DragomanClient
import DragomanCore
import DragomanServer
import DragomanServerTesting
import Foundation
import NIOCore
import NIOPosix
import Testing

/// The floor reaches every listener over real sockets, and no listener can hurt another.
@Suite(.serialized)
struct FanoutTests {
    /// Three listeners on three channels each get every 20 ms packet of the floor, none lost.
    @Test func everyListenerGetsEveryPacket() async throws {
        try await LiveServer.with { server in
            let event = try server.createEvent()
            let reports = try await withThrowingTaskGroup(of: ChannelListener.Report.self) { group in
                for channel in ["floor", "ru", "kk"] {
                    group.addTask {
                        try await ChannelListener(server: server.address, event: event.code.value, channel: channel, duration: 15, idleTimeout: 3)
                            .run { _ in }
                    }
                }
                let live = try server.live(event)
                try await wait("three listeners") { live.listenerCounts.map(\.1).reduce(0, +) == 3 }
                _ = try await server.publishFloor(event, seconds: 2)
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(reports.count == 3)
            for report in reports {
                #expect((100...101).contains(report.packets), "2 s of audio, plus at most one frame of filter delay")
                #expect(report.lost == 0)
            }
        }
    }

    /// A second floor publisher is refused with the reason while the first goes on undisturbed.
    @Test func secondFloorPublisherIsRefused() async throws {
        try await LiveServer.with { server in
            let event = try server.createEvent()
            let ingest = server.floorIngest(event, seconds: 2)
            async let listening = ChannelListener(server: server.address, event: event.code.value, duration: 15, idleTimeout: 3).run { _ in }
            let live = try server.live(event)
            try await wait("the listener") { live.statistics(.floor)?.listeners == 1 }
            async let first = ingest.run()
            try await wait("the first publisher") { live.isFloorLive }
            await #expect {
                _ = try await ingest.run()
            } throws: { error in
                (error as? ClientError)?.code == "floor-busy"
            }
            _ = try await first
            let report = try await listening
            #expect((100...101).contains(report.packets), "2 s of audio, plus at most one frame of filter delay")
            #expect(report.lost == 0)
        }
    }

    /// A listener that stops reading loses its own oldest packets; a prompt one on the same channel loses nothing.
    @Test func slowListenerOnlyHurtsItself() async throws {
        try await LiveServer.with { server in
            let event = try server.createEvent()
            let stalled = try await StalledListener.connect(port: server.port, path: "/ws/listen/\(event.code)?codec=pcm")
            defer { stalled.close() }
            async let listening = ChannelListener(server: server.address, event: event.code.value, duration: 15, idleTimeout: 3).run { _ in }
            let live = try server.live(event)
            try await wait("both listeners") { live.statistics(.floor)?.listeners == 2 }
            _ = try await server.publishFloor(event, seconds: 3)
            let report = try await listening
            #expect((150...151).contains(report.packets), "3 s of audio, plus at most one frame of filter delay")
            #expect(report.lost == 0)
            let statistics = try #require(try server.venue.events.event(event.code)?.statistics(.floor))
            #expect(statistics.droppedPackets > 0, "the stalled listener's queue should have overflowed")
        }
    }
}

/// A WebSocket client that upgrades and then never reads, like a phone whose app froze.
struct StalledListener: Sendable {
    let channel: any Channel

    static func connect(port: Int, path: String) async throws -> StalledListener {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(ChannelOptions.autoRead, value: false)
            .channelOption(ChannelOptions.socketOption(.so_rcvbuf), value: 4096)
            .connect(host: "127.0.0.1", port: port).get()
        let request =
            "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        try await channel.writeAndFlush(ByteBuffer(string: request)).get()
        return StalledListener(channel: channel)
    }

    func close() { channel.close(promise: nil) }
}
