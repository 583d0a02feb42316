import DragomanCore
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// The end of the fan-out for one listener: a channel handler placed next to the socket
/// (after TLS, when there is TLS), through which pre-built WebSocket frames are written
/// without passing the rest of the pipeline.
///
/// On a plain connection the frames go straight to the socket, one `send` each, while
/// everything this connection writes has gone out: no pipeline, promise or pending-writes
/// buffer per listener and packet. The fan-out's loop sends from its group's flat table
/// (`ListenerGroup`) without touching this object at all, and calls in here only for a listener
/// that is not on the direct path at that moment, or whose socket did not take the whole frame.
/// When the socket cannot take a whole frame, the rest of it
/// and everything after go through NIO until NIO has written it all, so bytes never
/// overtake each other; other handlers' writes (pings, the close frame) pass through here too.
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
    private var channel: (any Channel)?
    private var waiting = DropOldestQueue<ByteBuffer>(capacity: ListenerSink.queueCapacity) {
        didSet { publishDirectSocket() }
    }
    /// Whether frames may go straight to the socket (plain connections).
    private let writesDirectly: Bool
    /// The socket's descriptor while frames may be sent on it directly; -1 otherwise.
    private var socket: CInt = -1 {
        didSet { publishDirectSocket() }
    }
    /// Writes handed to NIO and not yet written by it; while any is, everything goes through NIO, in order.
    private var writesInNIO = 0 {
        didSet { publishDirectSocket() }
    }
    /// The group this sink receives packets from, if any.
    var group: ListenerGroup?
    /// Position in `group`'s array, for O(1) removal.
    var indexInGroup = -1
    /// Packets dropped for this listener in all.
    private(set) var droppedTotal = 0
    private let allocator = ByteBufferAllocator()

    /// - Parameter writesDirectly: send frames on the socket itself; only for a connection without TLS.
    init(codec: Codec, eventLoop: any EventLoop, writesDirectly: Bool = false) {
        self.codec = codec
        self.eventLoop = eventLoop
        self.writesDirectly = writesDirectly
    }

    /// Whether frames currently go straight to the socket.
    var isSendingDirectly: Bool { socket >= 0 && writesInNIO == 0 }
    /// The descriptor the group's loop may send the next frame to itself: while nothing of this connection waits
    /// here or in NIO. -1: the next frame goes through `deliver`.
    var directSocket: CInt { isSendingDirectly && waiting.isEmpty ? socket : -1 }

    /// Keeps the group's table in step with `directSocket`.
    private func publishDirectSocket() {
        group?.update(self)
    }
    /// Whether the fan-out writes to this listener's socket itself (a plain connection whose descriptor was found).
    var writesToSocket: Bool { socket >= 0 }
    /// `writesToSocket` when the sink joined its group, so that leaving undoes what joining counted.
    var joinedWritingToSocket = false

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.channel = context.channel
        if writesDirectly, let descriptor = SocketDescriptor.of(context.channel) { socket = descriptor }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        leaveGroup()
        socket = -1
        self.context = nil
        self.channel = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        socket = -1
        leaveGroup()
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            drain(context: context)
        }
        context.fireChannelWritabilityChanged()
    }

    /// Other handlers' writes (the WebSocket layer's pings, pongs and close) keep their place among the frames.
    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let buffer = unwrapOutboundIn(data)
        if isSendingDirectly {
            sendDirectly(buffer, context: context, promise: promise)
        } else {
            writeThroughNIO(buffer, context: context, promise: promise)
        }
    }

    /// Writes one pre-built frame, or queues it while the socket is full.
    func send(_ frame: ByteBuffer) {
        eventLoop.preconditionInEventLoop()
        deliver(frame)
    }

    /// `send` for the fan-out's loop, which has checked the event loop once for all its sinks.
    func deliver(_ frame: ByteBuffer) {
        guard let context else { return }
        if isSendingDirectly && waiting.isEmpty {
            if !sendDirectly(frame, context: context, promise: nil) { context.flush() }
        } else if waiting.isEmpty && context.channel.isWritable {
            writeThroughNIO(frame, context: context, promise: nil)
            context.flush()
        } else {
            let droppedBefore = waiting.droppedTotal
            waiting.append(frame, droppingFirst: WireFrame.isBinary, weight: WireFrame.packetCount)
            if waiting.droppedTotal != droppedBefore { group?.countDrop(waiting.droppedTotal - droppedBefore) }
        }
    }

    /// Writes a control message (JSON text) in order with the audio.
    func send(text: String) {
        send(WireFrame.text(text, allocator: allocator))
    }

    /// Sends `frame` on the socket and returns true if it took all of it. Otherwise the rest is handed to
    /// NIO (unflushed), with `promise`, and the sink writes through NIO until that is out.
    @discardableResult
    private func sendDirectly(_ frame: ByteBuffer, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) -> Bool {
        // NIO marks a channel inactive before it calls out to anyone after closing the descriptor, so a
        // descriptor that was closed (and may already be another connection's) is never written to.
        guard let channel, channel.isActive else {
            socket = -1
            writeThroughNIO(frame, context: context, promise: promise)
            return false
        }
        let sent = frame.withUnsafeReadableBytes { bytes in
            Glibc.send(socket, bytes.baseAddress, bytes.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL))
        }
        if sent == frame.readableBytes {
            promise?.succeed(())
            return true
        }
        handOverRest(of: frame, sent: sent, error: errno, context: context, promise: promise)
        return false
    }

    /// The group's loop sent `frame` on this listener's socket itself and the socket took `sent` bytes of it
    /// (-1: none, with `error`): the rest goes through NIO, in order.
    func continueShortSend(of frame: ByteBuffer, sent: Int, error: CInt) {
        guard let context else { return }
        handOverRest(of: frame, sent: sent, error: error, context: context, promise: nil)
        context.flush()
    }

    private func handOverRest(of frame: ByteBuffer, sent: Int, error: CInt, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        var rest = frame
        if sent > 0 {
            rest.moveReaderIndex(forwardBy: sent)
        } else if error != EAGAIN && error != EWOULDBLOCK && error != EINTR {
            // A broken connection: NIO's own write meets the same error and closes the channel as usual.
            socket = -1
        }
        writeThroughNIO(rest, context: context, promise: promise)
    }

    /// Hands `buffer` to NIO; on a direct connection, counts it until NIO has written it.
    private func writeThroughNIO(_ buffer: ByteBuffer, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        guard socket >= 0 else {
            context.write(NIOAny(buffer), promise: promise)
            return
        }
        writesInNIO += 1
        let written = context.eventLoop.makePromise(of: Void.self)
        // Only counting here: this also runs while NIO fails pending writes during a close.
        written.futureResult.assumeIsolated().whenComplete { [self] result in
            // A write that failed means the connection is going: its descriptor may already be closed, and nothing
            // may be sent on it directly again (NIO fails pending writes after closing it, before channelInactive).
            if case .failure = result { socket = -1 }
            writesInNIO -= 1
            promise?.completeWith(result)
        }
        context.write(NIOAny(buffer), promise: written)
    }

    private func drain(context: ChannelHandlerContext) {
        let dropped = waiting.takeDroppedCount()
        droppedTotal += dropped
        if dropped > 0, let json = try? JSONText.encode(ControlMessages.Dropped(count: dropped)) {
            writeThroughNIO(WireFrame.text(json, allocator: allocator), context: context, promise: nil)
        }
        while context.channel.isWritable, let frame = waiting.popFirst() {
            writeThroughNIO(frame, context: context, promise: nil)
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
        var frames: [ByteBuffer] = []
        if let json = try? JSONText.encode(ControlMessages.ErrorMessage(error, fatal: true)) {
            frames.append(WireFrame.text(json, allocator: allocator))
        }
        frames.append(WireFrame.close(code: error.code.closeCode, reason: error.code.rawValue, allocator: allocator))
        close(sending: frames)
    }

    /// Closes the connection with 1001 (going away): the server is stopping, and clients come back on their own.
    func closeGoingAway() {
        close(sending: [WireFrame.close(code: 1001, reason: "server stopping", allocator: allocator)])
    }

    private func close(sending frames: [ByteBuffer]) {
        guard let context else { return }
        waiting.removeAll()
        let channel = context.channel
        // Closed once the last frame is out, whichever way it went.
        let lastWritten = context.eventLoop.makePromise(of: Void.self)
        lastWritten.futureResult.whenComplete { _ in channel.close(promise: nil) }
        for (index, frame) in frames.enumerated() {
            let promise = index == frames.count - 1 ? lastWritten : nil
            if isSendingDirectly {
                sendDirectly(frame, context: context, promise: promise)
            } else {
                writeThroughNIO(frame, context: context, promise: promise)
            }
        }
        context.flush()
    }
}

/// The listeners of one channel that live on one event loop.
///
/// Only touched on its event loop, so delivering a packet to thousands of listeners is a
/// plain loop with no locks; the fan-out hops to each event loop once per packet.
///
/// The loop runs over a flat table of small values, one per listener: for a listener on the
/// direct path its socket, to which the frame is sent right there with one `send`, touching no
/// object, reference count or channel of the listener; only a listener that is not on the
/// direct path, or whose socket took less than the whole frame, is handed to its sink.
///
/// The table changes only on this event loop: a listener whose connection closes leaves it
/// (in `channelInactive`, right after NIO closed the descriptor) before any other task of the
/// loop runs, so a descriptor in the table is always the listener's own. One that leaves
/// while a loop is running is marked gone at once and removed when the loop ends, so that
/// nobody else misses the frame being sent.
final class ListenerGroup: @unchecked Sendable {
    // @unchecked: all mutable state is confined to `eventLoop` (checked by preconditions).
    let eventLoop: any EventLoop

    /// One listener, as the delivery loop reads it.
    private struct Member {
        /// Where the next frame may be sent directly; -1: through the sink.
        var socket: CInt
        var codec: ListenerSink.Codec
        /// False once the listener left during a delivery loop; its place goes when the loop ends.
        var isPresent = true
    }

    private var members: [Member] = []
    /// The sink of each member, at the same index.
    private var sinks: [ListenerSink] = []
    private var delivering = false
    /// Places vacated during a delivery loop.
    private var vacated: [Int] = []
    private var pcmCount = 0
    private let onCountChange: @Sendable (_ delta: Int, _ pcmDelta: Int, _ directDelta: Int) -> Void
    private let onDrop: @Sendable (Int) -> Void

    init(eventLoop: any EventLoop, onCountChange: @escaping @Sendable (Int, Int, Int) -> Void, onDrop: @escaping @Sendable (Int) -> Void) {
        self.eventLoop = eventLoop
        self.onCountChange = onCountChange
        self.onDrop = onDrop
    }

    /// Counts packets dropped for one slow listener of the group.
    func countDrop(_ packets: Int) { onDrop(packets) }

    func add(_ sink: ListenerSink) {
        eventLoop.preconditionInEventLoop()
        sink.indexInGroup = sinks.count
        sink.group = self
        sinks.append(sink)
        members.append(Member(socket: sink.directSocket, codec: sink.codec))
        let pcm = sink.codec == .pcm ? 1 : 0
        pcmCount += pcm
        sink.joinedWritingToSocket = sink.writesToSocket
        let direct = sink.joinedWritingToSocket ? 1 : 0
        if sink.codec != .none { onCountChange(1, pcm, direct) }  // a captions-only connection is no listener of the audio
    }

    /// Takes in a change of the sink's `directSocket`.
    func update(_ sink: ListenerSink) {
        let index = sink.indexInGroup
        guard sink.group === self, index >= 0, index < sinks.count, sinks[index] === sink else { return }
        members[index].socket = sink.directSocket
    }

    func remove(_ sink: ListenerSink) {
        eventLoop.preconditionInEventLoop()
        let index = sink.indexInGroup
        guard sink.group === self, index >= 0, index < sinks.count, sinks[index] === sink else { return }
        sink.group = nil
        sink.indexInGroup = -1
        if delivering {
            members[index].socket = -1
            members[index].isPresent = false
            vacated.append(index)
        } else {
            removePlace(index)
        }
        let pcm = sink.codec == .pcm ? 1 : 0
        pcmCount -= pcm
        let direct = sink.joinedWritingToSocket ? 1 : 0
        if sink.codec != .none { onCountChange(-1, -pcm, -direct) }
    }

    private func removePlace(_ index: Int) {
        let lastMember = members.removeLast()
        let lastSink = sinks.removeLast()
        if index < sinks.count {
            members[index] = lastMember
            sinks[index] = lastSink
            lastSink.indexInGroup = index
        }
    }

    /// Writes a packet (or a bundle of them, for Opus) to every listener of the group; nil: nothing for that codec now.
    func deliver(opus: ByteBuffer?, pcm: ByteBuffer?) {
        eventLoop.preconditionInEventLoop()
        if let opus { send(opus, to: .opus) }
        if let pcm, pcmCount > 0 { send(pcm, to: .pcm) }
    }

    /// Writes a control message to every listener of the group.
    func deliver(text frame: ByteBuffer) {
        eventLoop.preconditionInEventLoop()
        send(frame, to: nil)
    }

    /// Closes every connection of the group, telling each listener why.
    func closeAll(because error: ProtocolError) {
        eventLoop.preconditionInEventLoop()
        forEachPresent { index in sinks[index].close(because: error) }
    }

    /// Closes every connection of the group with 1001 (going away): the server is stopping.
    func closeAllGoingAway() {
        eventLoop.preconditionInEventLoop()
        forEachPresent { index in sinks[index].closeGoingAway() }
    }

    /// Sends `frame` to the listeners of `codec` (nil: to all).
    private func send(_ frame: ByteBuffer, to codec: ListenerSink.Codec?) {
        frame.withUnsafeReadableBytes { bytes in
            forEachPresent { index in
                let member = members[index]
                guard codec == nil || member.codec == codec else { return }
                guard member.socket >= 0 else {
                    sinks[index].deliver(frame)
                    return
                }
                let sent = Glibc.send(member.socket, bytes.baseAddress, bytes.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL))
                if sent != bytes.count { sinks[index].continueShortSend(of: frame, sent: sent, error: errno) }
            }
        }
    }

    /// Runs `body` for the index of every listener present, including those that join meanwhile; places vacated
    /// meanwhile are removed afterwards, so that no listener moves to an index the loop has passed.
    private func forEachPresent(_ body: (Int) -> Void) {
        let outer = delivering
        delivering = true
        var index = 0
        while index < members.count {
            if members[index].isPresent { body(index) }
            index += 1
        }
        delivering = outer
        guard !outer, !vacated.isEmpty else { return }
        // From the highest index down, the last place is never one still to be removed.
        for index in vacated.sorted(by: >) { removePlace(index) }
        vacated.removeAll()
    }
}
