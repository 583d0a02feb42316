import DragomanCore
import NIOCore
import NIOEmbedded
import Testing

@testable import DragomanServer

/// The delivery loop of one event loop's listeners: its table changes while it runs, and nobody misses a frame.
@Suite struct ListenerGroupTests {
    let loop = EmbeddedEventLoop()

    /// A listener whose socket is an embedded channel; with `hangsUp`, the connection closes on the first write.
    func listener(in group: ListenerGroup, hangsUp: Bool = false) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel(loop: loop)
        if hangsUp { try channel.pipeline.syncOperations.addHandler(HangUp()) }
        let sink = ListenerSink(codec: .opus, eventLoop: loop)
        try channel.pipeline.syncOperations.addHandler(sink)
        sink.join(group)
        return channel
    }

    func frames(_ channel: EmbeddedChannel) throws -> Int {
        var count = 0
        while try channel.readOutbound(as: ByteBuffer.self) != nil { count += 1 }
        return count
    }

    /// Listeners whose connections close while a frame is being delivered leave the table; those after them in it,
    /// including the one that would take a leaver's place, still get that frame and the next.
    @Test func listenersLeavingMidDeliveryMakeNobodyMissAFrame() throws {
        let fanout = ChannelFanout(channel: .floor)
        let group = fanout.group(for: loop)
        let first = try listener(in: group, hangsUp: true)
        let staying = try (0..<4).map { _ in try listener(in: group) }
        let middle = try listener(in: group, hangsUp: true)
        let last = try listener(in: group)
        #expect(fanout.listenerCount == 7)

        group.deliver(opus: ByteBuffer(bytes: [0x82, 0x01, 0x00]), pcm: nil)
        #expect(fanout.listenerCount == 5, "the two that hung up left")
        for channel in staying + [last] { #expect(try frames(channel) == 1) }

        group.deliver(opus: ByteBuffer(bytes: [0x82, 0x01, 0x01]), pcm: nil)
        for channel in staying + [last] { #expect(try frames(channel) == 1) }
        #expect(try frames(first) == 0 && frames(middle) == 0, "nothing reaches a closed connection")
    }
}

/// Closes the connection when the first write reaches the socket, as a phone that walked out of range does.
private final class HangUp: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        promise?.fail(ChannelError.ioOnClosedChannel)
        context.close(promise: nil)
    }
}
