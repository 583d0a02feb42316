import DragomanCore
import NIOCore
import NIOWebSocket

/// One listener's WebSocket after the upgrade, as a channel handler on its event loop: greets
/// the listener, puts its sink on the chosen channel, answers its channel switches, pings it,
/// and tidies up when it leaves.
///
/// A listener holds no task: everything here runs when a frame arrives or a timer fires, so a
/// room of thousands costs a handler, a sink and a timer each.
final class ListenerConnection: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// The largest message a listener may send.
    static let maximumMessageSize = 4096
    /// Channel switches: a listener flicking through the channels passes; a script does not reach the
    /// booths and dashboards with every switch.
    static let tuneBurst = 10
    static let tunesPerSecond = 2.0

    /// How a listener is set up, decided by the gate before the upgrade.
    struct Setup: Sendable {
        let event: LiveEvent
        let codec: ControlMessages.Codec
        let startChannel: ChannelID
        /// The connection carries the channel out of the room (an Icecast relay): booths are told.
        var isRelay = false
        /// How often the listener is pinged; a ping still unanswered at the next one closes the connection.
        var pingPeriod: TimeAmount = .seconds(15)
    }

    private let setup: Setup
    private let sink: ListenerSink
    private var event: LiveEvent { setup.event }
    private var current: ChannelID?
    private var tunes = TokenBucket(capacity: ListenerConnection.tuneBurst, perSecond: ListenerConnection.tunesPerSecond)
    private var assembly = MessageAssembly(limit: ListenerConnection.maximumMessageSize)
    private var relayID: ConnectionID?
    private var pings: RepeatedTask?
    /// The payload of the last ping while its pong has not come.
    private var unansweredPing: ByteBuffer?
    private var pingCount: UInt64 = 0
    private var closing = false

    init(setup: Setup, sink: ListenerSink) {
        self.setup = setup
        self.sink = sink
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if setup.isRelay {
            do {
                relayID = try event.connectRelay(sink: ListenerSinkBox(sink))
            } catch {
                refuse(error)  // it became confidential after the gate
                return
            }
        }
        let definition = event.definition
        let welcome = ControlMessages.Welcome(
            event: .init(code: definition.code.value, name: definition.name, languages: definition.languages.map(\.value)),
            channel: setup.startChannel.description,
            codec: setup.codec,
            serverTime: event.clock.nowMicros()
        )
        tune(to: setup.startChannel, greeting: try? JSONText.encode(welcome))
        startPinging(context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        leave()
    }

    func channelInactive(context: ChannelHandlerContext) {
        leave()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard !closing else {
            if frame.opcode == .connectionClose { context.close(promise: nil) }
            return
        }
        guard frame.rsv1 == false, frame.rsv2 == false, frame.rsv3 == false else {
            close(context: context, code: .protocolError)
            return
        }
        switch frame.opcode {
        case .ping:
            // A peer that pings and does not read must not pile up pongs: RFC 6455 lets an endpoint answer only
            // some pings, and a later one is answered once the socket takes data again.
            guard context.channel.isWritable else { break }
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .pong:
            if frame.unmaskedData == unansweredPing { unansweredPing = nil }
        case .connectionClose:
            answerClose(frame, context: context)
        default:
            take(frame, context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A reset or a broken frame (whose close frame NIO's error handler has already sent): the listener is gone.
        context.close(promise: nil)
    }

    private func take(_ frame: WebSocketFrame, context: ChannelHandlerContext) {
        switch assembly.take(frame) {
        case .incomplete:
            break
        case .text(let text):
            handle(text)
        case .binary:
            refuse(ProtocolError(.forbidden, "Listeners cannot send audio. To publish the floor, use /ws/floor/{code} with the floor token."))
        case .tooLarge(let size):
            refuse(ProtocolError(.tooLarge, "A listener message may be at most \(Self.maximumMessageSize) bytes; this one had \(size)."))
        case .invalidUTF8:
            close(context: context, code: .dataInconsistentWithMessage)
        case .outOfOrder:
            close(context: context, code: .protocolError)
        }
    }

    private func handle(_ text: String) {
        let request: ListenerRequest
        do {
            request = try ListenerRequest(RequestDecoder.fields(of: text))
        } catch {
            sendError(error)
            return
        }
        switch request {
        case .tune(let channelText):
            guard tunes.allow(at: event.clock.nowMicros()) else {
                event.countRateLimited("tune")
                sendError(
                    ProtocolError(
                        .tooMany,
                        "Too many channel switches: at most \(Self.tuneBurst) at once, then \(Int(Self.tunesPerSecond)) a second."
                    )
                )
                return
            }
            guard let channel = ChannelID(channelText), event.definition.has(channel) else {
                sendError(ProtocolError.unknownChannel(channelText, in: event.definition))
                return
            }
            tune(to: channel, greeting: try? JSONText.encode(ControlMessages.Tuned(channel: channel.description, codec: setup.codec)))
        }
    }

    /// Sends the greeting and what the channel carries, then moves the sink onto the channel, all at once on
    /// the event loop, so no packet of the new channel precedes the greeting.
    private func tune(to channel: ChannelID, greeting: String?) {
        guard let fanout = event.fanout(channel) else {
            sendError(ProtocolError.unknownChannel(channel.description, in: event.definition))
            return
        }
        if setup.isRelay {
            if let current { event.countRelay(on: current, by: -1) }
            event.countRelay(on: channel, by: 1)
        }
        current = channel
        if let greeting { sink.send(text: greeting) }
        if let carrying = try? JSONText.encode(event.carrying(channel)) { sink.send(text: carrying) }
        sink.join(fanout.group(for: sink.eventLoop))
    }

    private func sendError(_ error: ProtocolError) {
        if let text = try? JSONText.encode(ControlMessages.ErrorMessage(error, fatal: false)) { sink.send(text: text) }
    }

    /// Tells the listener why, then closes: the error message and a close code in the 4000 range.
    private func refuse(_ error: ProtocolError) {
        closing = true
        sink.close(because: error)
    }

    /// The listener closed: the close frame goes back (with its code, as RFC 6455 asks), then the connection.
    private func answerClose(_ frame: WebSocketFrame, context: ChannelHandlerContext) {
        close(context: context, code: Self.closeReply(to: frame.unmaskedData))
    }

    /// The code to answer a peer's close frame with: its own, none for none, and 1002 for a close frame
    /// that breaks RFC 6455 (one byte, a code no endpoint may send, a reason that is not UTF-8).
    static func closeReply(to payload: ByteBuffer) -> WebSocketErrorCode? {
        var payload = payload
        guard payload.readableBytes > 0 else { return nil }
        guard let number = payload.readInteger(as: UInt16.self) else { return .protocolError }
        let sendable = (1000...1003).contains(number) || (1007...1011).contains(number) || (3000...4999).contains(number)
        guard sendable, String(validating: payload.readableBytesView, as: UTF8.self) != nil else { return .protocolError }
        return WebSocketErrorCode(codeNumber: Int(number))
    }

    /// Sends a close frame (with `code`, or empty) and closes the connection once it is out.
    private func close(context: ChannelHandlerContext, code: WebSocketErrorCode?) {
        closing = true
        var data = context.channel.allocator.buffer(capacity: 2)
        if let code { data.write(webSocketErrorCode: code) }
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: data))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    private func startPinging(context: ChannelHandlerContext) {
        let period = setup.pingPeriod
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let contextBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        pings = context.eventLoop.scheduleRepeatedTask(initialDelay: period, delay: period) { _ in
            loopBound.value.ping(context: contextBound.value)
        }
    }

    private func ping(context: ChannelHandlerContext) {
        guard !closing else { return }
        guard unansweredPing == nil else {
            close(context: context, code: .goingAway)  // the phone went away without a word
            return
        }
        pingCount += 1
        var payload = context.channel.allocator.buffer(capacity: 8)
        payload.writeInteger(pingCount)
        unansweredPing = payload
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .ping, data: payload)), promise: nil)
    }

    private func leave() {
        pings?.cancel()
        pings = nil
        if setup.isRelay, let channel = current { event.countRelay(on: channel, by: -1) }
        current = nil
        if let relayID { event.disconnectRelay(relayID) }
        relayID = nil
        sink.join(nil)
    }
}
