import NIOCore

/// The first handler of every connection, before HTTP parsing:
/// - admits it under the connection cap (`ConnectionAdmission`), or answers 503 and closes;
/// - bounds how long a request head may take to arrive (slowloris) and how long a connection may
///   sit idle between requests;
/// - checks each request head (`RequestHeadCheck`) and answers a malformed one with its status
///   and closes, rather than leaving the connection open;
/// - once the connection is a WebSocket, closes it (1002) at the first unmasked client frame;
/// - steps aside for good once a request sends a chunked body.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// How long a request head may take from its first byte.
    static let headTimeout: TimeAmount = .seconds(10)
    /// How long a connection may stay without a request or any traffic.
    static let idleTimeout: TimeAmount = .seconds(75)

    private enum State {
        /// Waiting for (the rest of) a request head; the bytes so far are held.
        case head(ByteBuffer)
        /// Forwarding this many more body bytes.
        case body(Int)
        /// No longer looking: a chunked body.
        case passThrough
        /// A WebSocket: only the frame headers are followed, for their mask.
        case webSocket(ClientFrameCheck)
        /// Refused: everything read is dropped until the connection closes.
        case refused
    }

    private let admission: ConnectionAdmission
    private var state: State = .head(ByteBuffer())
    private var admitted = false
    private var timer: Scheduled<Void>?

    init(admission: ConnectionAdmission) {
        self.admission = admission
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stop()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        while bytes.readableBytes > 0 {
            switch state {
            case .refused:
                return
            case .passThrough:
                context.fireChannelRead(wrapInboundOut(bytes))
                return
            case .webSocket(var frames):
                guard bytes.withUnsafeReadableBytes({ frames.read($0) }) else {
                    refuseUnmasked(context)
                    return
                }
                state = .webSocket(frames)
                context.fireChannelRead(wrapInboundOut(bytes))
                return
            case .body(let remaining):
                let slice = bytes.readSlice(length: min(remaining, bytes.readableBytes))!
                context.fireChannelRead(wrapInboundOut(slice))
                state =
                    remaining == slice.readableBytes ? .head(context.channel.allocator.buffer(capacity: 0)) : .body(remaining - slice.readableBytes)
                if case .head = state { arm(context, Self.idleTimeout) }
            case .head(var held):
                if held.readableBytes == 0 { arm(context, Self.headTimeout) }
                held.writeBuffer(&bytes)
                guard let end = RequestHeadCheck.endOfHead(in: held.readableBytesView) else {
                    if held.readableBytes > RequestHeadCheck.maximumHeadSize {
                        refuse(context, status: 431, reason: "The request's headers are larger than 16 KiB.")
                    } else {
                        state = .head(held)
                    }
                    return
                }
                let head = held.readSlice(length: end)!
                switch RequestHeadCheck.check(head.readableBytesView) {
                case .refuse(let status, let reason):
                    refuse(context, status: status, reason: reason)
                    return
                case .accept(let framing):
                    switch framing {
                    case .none:
                        state = .head(context.channel.allocator.buffer(capacity: 0))
                        arm(context, Self.idleTimeout)
                    case .length(let length):
                        state = .body(length)
                        arm(context, Self.headTimeout)
                    case .opaque:
                        state = .passThrough
                        cancelTimer()
                    case .webSocket:
                        state = .webSocket(ClientFrameCheck())
                        cancelTimer()
                    }
                    context.fireChannelRead(wrapInboundOut(head))
                    bytes = held
                }
            }
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // A response being written (a long stream included) is activity: the idle clock starts again.
        if case .head(let held) = state, held.readableBytes == 0 { arm(context, Self.idleTimeout) }
        context.write(data, promise: promise)
    }

    private func start(_ context: ChannelHandlerContext) {
        guard !admitted, case .head = state else { return }
        guard admission.admit() else {
            refuse(context, status: 503, reason: "The server has as many connections as it can take; try again in a moment.")
            return
        }
        admitted = true
        arm(context, Self.idleTimeout)
    }

    private func stop() {
        cancelTimer()
        if admitted {
            admitted = false
            admission.release()
        }
    }

    private func arm(_ context: ChannelHandlerContext, _ timeout: TimeAmount) {
        cancelTimer()
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [weak self] in
            guard let self else { return }
            switch self.state {
            case .head(let held) where held.readableBytes > 0:
                self.refuse(context, status: 408, reason: "The request's head did not arrive in time.")
            case .head:
                context.close(promise: nil)
            case .body:
                self.refuse(context, status: 408, reason: "The request's body did not arrive in time.")
            case .passThrough, .webSocket, .refused:
                break
            }
        }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
    }

    private func refuse(_ context: ChannelHandlerContext, status: Int, reason: String) {
        state = .refused
        cancelTimer()
        let body = reason + "\n"
        var response = context.channel.allocator.buffer(capacity: 160 + body.utf8.count)
        response.writeString(
            "HTTP/1.1 \(status) \(Self.reasonPhrase(status))\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        )
        context.writeAndFlush(wrapOutboundOut(response)).whenComplete { _ in context.close(promise: nil) }
    }

    /// RFC 6455 §5.1: a server closes on an unmasked client frame, with 1002 (protocol error).
    private func refuseUnmasked(_ context: ChannelHandlerContext) {
        state = .refused
        var close = context.channel.allocator.buffer(capacity: 32)
        let reason = "client frames must be masked"
        close.writeBytes([0x88, UInt8(2 + reason.utf8.count), 0x03, 0xEA])
        close.writeString(reason)
        context.writeAndFlush(wrapOutboundOut(close)).whenComplete { _ in context.close(promise: nil) }
    }

    private static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 400: "Bad Request"
        case 408: "Request Timeout"
        case 413: "Content Too Large"
        case 414: "URI Too Long"
        case 431: "Request Header Fields Too Large"
        case 503: "Service Unavailable"
        default: "Error"
        }
    }
}
