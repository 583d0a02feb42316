import DragomanCore
import NIOCore

/// The end of the fan-out for one listener: a channel handler placed next to the socket
/// (after TLS, when there is TLS), through which pre-built WebSocket frames are written
/// without passing the rest of the pipeline.
///
/// Everything here runs on the connection's event loop. While the socket is not writable,
/// frames wait in a small queue that drops its oldest entries, so a listener that stops
/// reading only loses its own packets and never holds memory or time from the others.
final class ListenerSink: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// What the listener decodes; `none`: control messages only (captions for a page that plays the Ogg stream).
    enum Codec: Sendable { case opus, pcm, none }

    /// Frames kept while the socket is full: 25 × 20 ms, half a second of audio.
    static let queueCapacity = 25

    let codec: Codec
    let eventLoop: any EventLoop
    private var context: ChannelHandlerContext?
    private var waiting = DropOldestQueue<ByteBuffer>(capacity: ListenerSink.queueCapacity)
    /// The group this sink receives packets from, if any.
    var group: ListenerGroup?
    /// Position in `group`'s array, for O(1) removal.
    var indexInGroup = -1
    /// Packets dropped for this listener in all.
    private(set) var droppedTotal = 0
    private let allocator = ByteBufferAllocator()

    init(codec: Codec, eventLoop: any EventLoop) {
        self.codec = codec
        self.eventLoop = eventLoop
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        leaveGroup()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        leaveGroup()
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            drain(context: context)
        }
        context.fireChannelWritabilityChanged()
    }

    /// Writes one pre-built frame, or queues it while the socket is full.
    func send(_ frame: ByteBuffer) {
        eventLoop.preconditionInEventLoop()
        guard let context else { return }
        if waiting.isEmpty && context.channel.isWritable {
            context.writeAndFlush(NIOAny(frame), promise: nil)
        } else {
            let droppedBefore = waiting.droppedTotal
            waiting.append(frame, droppingFirst: WireFrame.isBinary)
            if waiting.droppedTotal != droppedBefore { group?.countDrop() }
        }
    }

    /// Writes a control message (JSON text) in order with the audio.
    func send(text: String) {
        send(WireFrame.text(text, allocator: allocator))
    }

    private func drain(context: ChannelHandlerContext) {
        let dropped = waiting.takeDroppedCount()
        droppedTotal += dropped
        if dropped > 0, let json = try? JSONText.encode(ControlMessages.Dropped(count: dropped)) {
            context.write(NIOAny(WireFrame.text(json, allocator: allocator)), promise: nil)
        }
        while context.channel.isWritable, let frame = waiting.popFirst() {
            context.write(NIOAny(frame), promise: nil)
        }
        context.flush()
    }

    /// Moves this sink to `newGroup` (nil: stop receiving).
    func join(_ newGroup: ListenerGroup?) {
        eventLoop.preconditionInEventLoop()
        leaveGroup()
        waiting.removeAll()
        newGroup?.add(self)
    }

    private func leaveGroup() {
        group?.remove(self)
    }

    /// Tells the listener why, then closes the connection (the event was deleted, or its channel removed).
    func close(because error: ProtocolError) {
        guard let context else { return }
        waiting.removeAll()
        if let json = try? JSONText.encode(ControlMessages.ErrorMessage(error, fatal: true)) {
            context.write(NIOAny(WireFrame.text(json, allocator: allocator)), promise: nil)
        }
        let closeFrame = WireFrame.close(code: error.code.closeCode, reason: error.code.rawValue, allocator: allocator)
        let channel = context.channel
        context.writeAndFlush(NIOAny(closeFrame)).whenComplete { _ in channel.close(promise: nil) }
    }
}

/// The listeners of one channel that live on one event loop.
///
/// Only touched on its event loop, so delivering a packet to thousands of listeners is a
/// plain loop with no locks; the fan-out hops to each event loop once per packet.
final class ListenerGroup: @unchecked Sendable {
    // @unchecked: all mutable state is confined to `eventLoop` (checked by preconditions).
    let eventLoop: any EventLoop
    private var sinks: [ListenerSink] = []
    private var pcmCount = 0
    private let onCountChange: @Sendable (_ delta: Int, _ pcmDelta: Int) -> Void
    private let onDrop: @Sendable () -> Void

    init(eventLoop: any EventLoop, onCountChange: @escaping @Sendable (Int, Int) -> Void, onDrop: @escaping @Sendable () -> Void) {
        self.eventLoop = eventLoop
        self.onCountChange = onCountChange
        self.onDrop = onDrop
    }

    /// Counts a packet dropped for one slow listener of the group.
    func countDrop() { onDrop() }

    func add(_ sink: ListenerSink) {
        eventLoop.preconditionInEventLoop()
        sink.indexInGroup = sinks.count
        sink.group = self
        sinks.append(sink)
        let pcm = sink.codec == .pcm ? 1 : 0
        pcmCount += pcm
        if sink.codec != .none { onCountChange(1, pcm) }  // a captions-only connection is no listener of the audio
    }

    func remove(_ sink: ListenerSink) {
        eventLoop.preconditionInEventLoop()
        let index = sink.indexInGroup
        guard sink.group === self, index >= 0, index < sinks.count, sinks[index] === sink else { return }
        let last = sinks.removeLast()
        if index < sinks.count {
            sinks[index] = last
            last.indexInGroup = index
        }
        sink.group = nil
        sink.indexInGroup = -1
        let pcm = sink.codec == .pcm ? 1 : 0
        pcmCount -= pcm
        if sink.codec != .none { onCountChange(-1, -pcm) }
    }

    /// Writes a packet to every listener of the group.
    func deliver(opus: ByteBuffer, pcm: ByteBuffer?) {
        eventLoop.preconditionInEventLoop()
        for sink in sinks {
            switch sink.codec {
            case .opus: sink.send(opus)
            case .pcm: if let pcm { sink.send(pcm) }
            case .none: break
            }
        }
    }

    /// Writes a control message to every listener of the group.
    func deliver(text frame: ByteBuffer) {
        eventLoop.preconditionInEventLoop()
        for sink in sinks { sink.send(frame) }
    }

    /// Closes every connection of the group, telling each listener why.
    func closeAll(because error: ProtocolError) {
        eventLoop.preconditionInEventLoop()
        for sink in sinks { sink.close(because: error) }
    }
}
