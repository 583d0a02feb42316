import Foundation
import NIOConcurrencyHelpers
public import NIOCore
public import NIOPosix
public import NIOSSL

/// A WebSocket client connection (RFC 6455) for Dragoman's command-line clients.
///
/// One channel handler reads the upgrade response and the frames after it from the same
/// bytes, so a server that answers the upgrade and sends an error and a close in one TCP
/// segment (as Dragoman does when it refuses a request) is never misread.
///
/// ```swift
/// let connection = try await WebSocketConnection.connect(to: "ws://127.0.0.1:8080/ws/listen/K7QM2X")
/// for try await message in connection.messages { … }
/// ```
public final class WebSocketConnection: Sendable {
    /// A complete data message.
    public enum Message: Sendable {
        case text(String)
        case binary(ByteBuffer)
    }

    /// The close frame the server sent.
    public struct CloseFrame: Sendable, Equatable {
        public var code: UInt16?
        public var reason: String
    }

    /// Messages in arrival order; the stream finishes when the connection closes.
    public let messages: AsyncThrowingStream<Message, any Error>
    private let channel: any Channel
    private let closeState: NIOLockedValueBox<CloseFrame?>

    private init(channel: any Channel, messages: AsyncThrowingStream<Message, any Error>, closeState: NIOLockedValueBox<CloseFrame?>) {
        self.channel = channel
        self.messages = messages
        self.closeState = closeState
    }

    /// The server's close frame, once it has come.
    public var closeFrame: CloseFrame? { closeState.withLockedValue { $0 } }

    public struct ConnectError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Connects and upgrades. `url` is `ws://` or `wss://`; with `wss://` the server's certificate is not verified
    /// unless `tls` says otherwise (a venue server usually has a self-signed one).
    public static func connect(
        to url: String,
        tls: TLSConfiguration? = nil,
        maxMessageSize: Int = 1 << 20,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> WebSocketConnection {
        guard let components = URLComponents(string: url), let host = components.host,
            let scheme = components.scheme, ["ws", "wss"].contains(scheme)
        else {
            throw ConnectError(description: "'\(url)' is not a ws:// or wss:// URL")
        }
        let secure = scheme == "wss"
        let port = components.port ?? (secure ? 443 : 80)
        var target = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let query = components.percentEncodedQuery { target += "?" + query }
        var keyBytes = [UInt8](repeating: 0, count: 16)
        for i in keyBytes.indices { keyBytes[i] = .random(in: 0...255) }
        let request =
            "GET \(target) HTTP/1.1\r\nHost: \(host):\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: \(Data(keyBytes).base64EncodedString())\r\nSec-WebSocket-Version: 13\r\n\r\n"

        let (stream, continuation) = AsyncThrowingStream.makeStream(of: Message.self, throwing: (any Error).self)
        let closeState = NIOLockedValueBox<CloseFrame?>(nil)
        let upgraded = group.next().makePromise(of: Void.self)
        var tlsConfiguration = tls
        if secure, tlsConfiguration == nil {
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .none
            tlsConfiguration = configuration
        }
        let sslContext = try tlsConfiguration.map { try NIOSSLContext(configuration: $0) }
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(.seconds(10))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let pipeline = channel.pipeline.syncOperations
                        if let sslContext {
                            try pipeline.addHandler(
                                try NIOSSLClientHandler(context: sslContext, serverHostname: host.first?.isNumber == true ? nil : host)
                            )
                        }
                        try pipeline.addHandler(
                            WebSocketClientHandler(
                                messages: continuation,
                                closeState: closeState,
                                upgraded: upgraded,
                                maxMessageSize: maxMessageSize
                            )
                        )
                    }
                }
                .connect(host: host, port: port).get()
        } catch {
            upgraded.fail(error)  // nothing else can complete it: the handler never ran
            throw ConnectError(description: "cannot connect to \(host):\(port): \(error)")
        }
        try await channel.writeAndFlush(ByteBuffer(string: request)).get()
        try await upgraded.futureResult.get()
        return WebSocketConnection(channel: channel, messages: stream, closeState: closeState)
    }

    /// Sends a text message.
    public func send(text: String) async throws {
        try await channel.writeAndFlush(WebSocketClientHandler.maskedFrame(opcode: 0x1, payload: ByteBuffer(string: text))).get()
    }

    /// Sends a binary message.
    public func send(binary: ByteBuffer) async throws {
        try await channel.writeAndFlush(WebSocketClientHandler.maskedFrame(opcode: 0x2, payload: binary)).get()
    }

    /// Starts the closing handshake; the connection ends when the server answers (or at once if it is gone).
    public func close(code: UInt16 = 1000, reason: String = "") async {
        var payload = ByteBuffer()
        payload.writeInteger(code)
        payload.writeString(reason)
        try? await channel.writeAndFlush(WebSocketClientHandler.maskedFrame(opcode: 0x8, payload: payload)).get()
        // A server that does not answer within a second is not waited for.
        let channel = self.channel
        channel.eventLoop.scheduleTask(in: .seconds(1)) { channel.close(promise: nil) }
    }

    /// Drops the connection without a closing handshake, as a crashed or unplugged client would.
    public func abort() async {
        try? await channel.close()
    }
}

/// Reads the upgrade response, then frames; answers pings and the server's close.
private final class WebSocketClientHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let messages: AsyncThrowingStream<WebSocketConnection.Message, any Error>.Continuation
    private let closeState: NIOLockedValueBox<WebSocketConnection.CloseFrame?>
    private let upgraded: EventLoopPromise<Void>
    private let maxMessageSize: Int
    private var buffer = ByteBuffer()
    private var isUpgraded = false
    private var upgradeSettled = false
    private var fragments: (opcode: UInt8, data: ByteBuffer)?

    init(
        messages: AsyncThrowingStream<WebSocketConnection.Message, any Error>.Continuation,
        closeState: NIOLockedValueBox<WebSocketConnection.CloseFrame?>,
        upgraded: EventLoopPromise<Void>,
        maxMessageSize: Int
    ) {
        self.messages = messages
        self.closeState = closeState
        self.upgraded = upgraded
        self.maxMessageSize = maxMessageSize
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        buffer.writeBuffer(&incoming)
        if !isUpgraded {
            guard let end = buffer.readableBytesView.firstRange(of: [13, 10, 13, 10]) else { return }
            let head = buffer.readString(length: end.upperBound - buffer.readableBytesView.startIndex) ?? ""
            let statusLine = head.split(separator: "\r\n").first.map(String.init) ?? ""
            guard statusLine.hasPrefix("HTTP/1.1 101") else {
                settleUpgrade(.failure(WebSocketConnection.ConnectError(description: "the server did not accept the WebSocket: \(statusLine)")))
                context.close(promise: nil)
                return
            }
            isUpgraded = true
            settleUpgrade(.success(()))
        }
        do {
            try readFrames(context: context)
        } catch {
            messages.finish(throwing: error)
            context.close(promise: nil)
        }
        buffer.discardReadBytes()
    }

    private func readFrames(context: ChannelHandlerContext) throws {
        while true {
            var view = buffer
            guard let first = view.readInteger(as: UInt8.self), let second = view.readInteger(as: UInt8.self) else { return }
            var length = Int(second & 0x7F)
            if length == 126 {
                guard let extended = view.readInteger(as: UInt16.self) else { return }
                length = Int(extended)
            } else if length == 127 {
                guard let extended = view.readInteger(as: UInt64.self) else { return }
                guard extended <= UInt64(maxMessageSize) else {
                    throw WebSocketConnection.ConnectError(description: "the server sent a frame of \(extended) bytes")
                }
                length = Int(extended)
            }
            guard length <= maxMessageSize else { throw WebSocketConnection.ConnectError(description: "the server sent a frame of \(length) bytes") }
            guard second & 0x80 == 0 else { throw WebSocketConnection.ConnectError(description: "the server sent a masked frame") }
            guard let payload = view.readSlice(length: length) else { return }
            buffer = view
            try handleFrame(fin: first & 0x80 != 0, opcode: first & 0x0F, payload: payload, context: context)
        }
    }

    private func handleFrame(fin: Bool, opcode: UInt8, payload: ByteBuffer, context: ChannelHandlerContext) throws {
        switch opcode {
        case 0x0:
            guard var partial = fragments else { throw WebSocketConnection.ConnectError(description: "the server sent a stray continuation frame") }
            var more = payload
            partial.data.writeBuffer(&more)
            guard partial.data.readableBytes <= maxMessageSize else {
                throw WebSocketConnection.ConnectError(description: "the server sent a message over \(maxMessageSize) bytes")
            }
            if fin {
                deliver(opcode: partial.opcode, payload: partial.data)
                fragments = nil
            } else {
                fragments = partial
            }
        case 0x1, 0x2:
            if fin { deliver(opcode: opcode, payload: payload) } else { fragments = (opcode, payload) }
        case 0x8:
            var body = payload
            let code = body.readInteger(as: UInt16.self)
            let reason = body.readString(length: body.readableBytes) ?? ""
            closeState.withLockedValue { $0 = .init(code: code, reason: reason) }
            var echo = ByteBuffer()
            if let code { echo.writeInteger(code) }
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(Self.maskedFrame(opcode: 0x8, payload: echo))).whenComplete { _ in channel.close(promise: nil) }
            messages.finish()
        case 0x9:
            context.writeAndFlush(wrapOutboundOut(Self.maskedFrame(opcode: 0xA, payload: payload)), promise: nil)
        case 0xA:
            break
        default:
            throw WebSocketConnection.ConnectError(description: "the server sent an unknown frame type \(opcode)")
        }
    }

    private func deliver(opcode: UInt8, payload: ByteBuffer) {
        if opcode == 0x1 {
            messages.yield(.text(String(buffer: payload)))
        } else {
            messages.yield(.binary(payload))
        }
    }

    private func settleUpgrade(_ result: Result<Void, any Error>) {
        guard !upgradeSettled else { return }
        upgradeSettled = true
        upgraded.completeWith(result)
    }

    func channelInactive(context: ChannelHandlerContext) {
        settleUpgrade(.failure(WebSocketConnection.ConnectError(description: "the server closed the connection during the upgrade")))
        messages.finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        settleUpgrade(.failure(error))
        messages.finish(throwing: error)
        context.close(promise: nil)
    }

    /// A client frame: always masked (RFC 6455 §5.3).
    static func maskedFrame(opcode: UInt8, payload: ByteBuffer) -> ByteBuffer {
        let length = payload.readableBytes
        var frame = ByteBuffer()
        frame.reserveCapacity(length + 14)
        frame.writeInteger(0x80 | opcode)
        if length < 126 {
            frame.writeInteger(UInt8(0x80 | length))
        } else if length < 65536 {
            frame.writeInteger(UInt8(0x80 | 126))
            frame.writeInteger(UInt16(length))
        } else {
            frame.writeInteger(UInt8(0x80 | 127))
            frame.writeInteger(UInt64(length))
        }
        let mask = UInt32.random(in: 0...UInt32.max)
        frame.writeInteger(mask)
        // Mask in place, eight bytes at a time: the byte-by-byte way cost a debug build half a core for one
        // real-time audio stream.
        let start = frame.writerIndex
        frame.writeImmutableBuffer(payload)
        frame.withUnsafeMutableReadableBytes { bytes in
            let body = UnsafeMutableRawBufferPointer(rebasing: bytes[start...])
            let key = [UInt8(mask >> 24), UInt8(mask >> 16 & 0xFF), UInt8(mask >> 8 & 0xFF), UInt8(mask & 0xFF)]
            var wide: UInt64 = 0
            withUnsafeMutableBytes(of: &wide) { for i in 0..<8 { $0[i] = key[i & 3] } }
            let words = body.count / 8
            for word in 0..<words {
                let offset = word * 8
                body.storeBytes(of: body.loadUnaligned(fromByteOffset: offset, as: UInt64.self) ^ wide, toByteOffset: offset, as: UInt64.self)
            }
            for i in (words * 8)..<body.count { body[i] ^= key[i & 3] }
        }
        return frame
    }
}
