import DragomanAudio
import DragomanCore
import DragomanServer
import DragomanServerTesting
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

@testable import DragomanClient

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
                let direct = ["floor", "ru", "kk"].compactMap { ChannelID($0).flatMap { live.statistics($0)?.directListeners } }.reduce(0, +)
                #expect(direct == 3, "a plain connection's frames go straight to its socket")
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

extension FanoutTests {
    /// A listener whose socket filled up mid-frame, and then reads again, gets whole frames in order: the rest
    /// of a frame the socket took only in part, then the count of what was dropped, then the newest packets.
    @Test func aListenerThatFellBehindGetsWholeFramesInOrder() async throws {
        try await LiveServer.with { server in
            let event = try server.createEvent()
            // PCM frames (about 2 KB) into a 4 KB receive buffer: the server's sends stop in the middle of frames.
            let reader = try await PausedReader.connect(port: server.port, path: "/ws/listen/\(event.code)?codec=pcm")
            defer { reader.close() }
            let live = try server.live(event)
            try await wait("the listener") { live.statistics(.floor)?.listeners == 1 }
            #expect(live.statistics(.floor)?.directListeners == 1)
            _ = try await server.publishFloor(event, seconds: 3)
            let sent = try #require(live.statistics(.floor)).packetsSent
            reader.resume()
            // The last packet is the newest, so it is never the one dropped (a message may follow it: floor off air).
            try await wait("the last packet", timeout: .seconds(60)) { reader.items.contains(.audio(sequence: UInt32(sent))) }
            let items = reader.items
            #expect(reader.malformed == false, "every byte the server wrote belongs to a whole frame")
            let sequences = items.compactMap { if case .audio(let sequence) = $0 { sequence } else { nil } }
            #expect(sequences == sequences.sorted() && Set(sequences).count == sequences.count, "in order, none twice")
            #expect(sequences.count < sent, "the stalled listener lost its oldest packets")
            #expect(items.contains(.dropped), "and was told how many")
        }
    }
}

/// A WebSocket listener that does not read until told to, then records every frame it finds.
final class PausedReader: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: the handler's state is touched on its event loop; `items` and `malformed` under `lock`.
    typealias InboundIn = ByteBuffer

    enum Item: Equatable, Sendable {
        case audio(sequence: UInt32)
        case dropped
        case other
    }

    private let lock = NIOLock()
    private var found: [Item] = []
    private var failed = false
    private var counter = PacketCounter(framing: .webSocket)
    private var answered = false
    private var answer = ByteBuffer()
    private var channel: (any Channel)?

    var items: [Item] { lock.withLock { found } }
    var malformed: Bool { lock.withLock { failed } }

    static func connect(port: Int, path: String) async throws -> PausedReader {
        let reader = PausedReader()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(ChannelOptions.autoRead, value: false)
            .channelOption(ChannelOptions.socketOption(.so_rcvbuf), value: 4096)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(reader) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        reader.channel = channel
        let request =
            "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        try await channel.writeAndFlush(ByteBuffer(string: request)).get()
        // Reads the server's answer only; the stream then waits in the socket until `resume`.
        channel.read()
        return reader
    }

    func resume() {
        _ = channel?.setOption(ChannelOptions.autoRead, value: true)
        channel?.read()
    }

    func close() { channel?.close(promise: nil) }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if !answered {
            answer.writeBuffer(&incoming)
            guard let end = answer.readableBytesView.firstRange(of: [13, 10, 13, 10]) else { return }
            answer.moveReaderIndex(to: end.upperBound)
            answered = true
            incoming = answer
        }
        var items: [Item] = []
        let text = incoming.getString(at: incoming.readerIndex, length: incoming.readableBytes) ?? ""
        do {
            try incoming.withUnsafeReadableBytes { bytes in
                try counter.feed(bytes) { item in
                    switch item {
                    case .audio(let sequence, _): items.append(.audio(sequence: sequence))
                    case .close, .other, .ping, .bundle: items.append(text.contains("\"dropped\"") ? .dropped : .other)
                    }
                }
            }
        } catch {
            lock.withLock { failed = true }
        }
        lock.withLock { found += items }
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
