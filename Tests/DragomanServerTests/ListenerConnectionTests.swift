import DragomanCore
import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing

@testable import DragomanServer

/// A listener's WebSocket as it lives after the upgrade: handlers on its event loop, no task. NIO's
/// `EmbeddedChannel` stands for the socket and `EmbeddedEventLoop` for the clock, so pings and their
/// timeouts are played out without waiting.
@Suite struct ListenerConnectionTests {
    let loop = EmbeddedEventLoop()
    let summit = LiveEventTests()

    /// A listener connected to `event` on `channel`, as the gate sets it up: the sink next to the socket,
    /// the WebSocket encoder, then the connection.
    func connect(_ event: LiveEvent, to channel: ChannelID = .floor, pingPeriod: TimeAmount = .seconds(15)) throws -> EmbeddedChannel {
        let socket = EmbeddedChannel(loop: loop)
        try socket.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        let sink = ListenerSink(codec: .opus, eventLoop: loop)
        try socket.pipeline.syncOperations.addHandler(sink)
        try socket.pipeline.syncOperations.addHandler(WebSocketFrameEncoder())
        let setup = ListenerConnection.Setup(
            event: event,
            codec: .init(name: "opus", opusHead: nil),
            startChannel: channel,
            pingPeriod: pingPeriod
        )
        try socket.pipeline.syncOperations.addHandler(ListenerConnection(setup: setup, sink: sink))
        return socket
    }

    /// Everything the server wrote to the listener since the last call, frame by frame.
    func received(_ socket: EmbeddedChannel) throws -> [Frame] {
        loop.run()
        var bytes = ByteBuffer()
        while var buffer = try socket.readOutbound(as: ByteBuffer.self) { bytes.writeBuffer(&buffer) }
        var frames: [Frame] = []
        while bytes.readableBytes > 0 { frames.append(try Frame(parsing: &bytes)) }
        return frames
    }

    /// Sends a frame as a browser does, masked.
    func send(_ socket: EmbeddedChannel, _ opcode: WebSocketOpcode, _ bytes: [UInt8], fin: Bool = true) throws {
        let key = WebSocketMaskingKey.random()
        var data = ByteBuffer(bytes: bytes)
        data.webSocketMask(key)
        try socket.writeInbound(WebSocketFrame(fin: fin, opcode: opcode, maskKey: key, data: data))
    }

    func send(_ socket: EmbeddedChannel, text: String, fin: Bool = true, continuing: Bool = false) throws {
        try send(socket, continuing ? .continuation : .text, Array(text.utf8), fin: fin)
    }

    @Test func aListenerIsGreetedAndJoinsItsChannel() throws {
        let event = summit.summit()
        let socket = try connect(event, to: .language(summit.kk))
        #expect(try received(socket).map(\.type) == ["welcome", "carrying"])
        #expect(event.fanout(.language(summit.kk))?.listenerCount == 1)
    }

    /// A switch sent in two fragments is one message: the listener is tuned to Kazakh and leaves the floor.
    @Test func aTuneInFragmentsMovesTheListener() throws {
        let event = summit.summit()
        let socket = try connect(event)
        _ = try received(socket)
        try send(socket, text: #"{"type":"tune","#, fin: false)
        try send(socket, text: #""channel":"kk"}"#, continuing: true)
        #expect(try received(socket).map(\.type) == ["tuned", "carrying"])
        #expect(event.fanout(.floor)?.listenerCount == 0)
        #expect(event.fanout(.language(summit.kk))?.listenerCount == 1)
    }

    @Test func aPingIsAnsweredWithItsPayload() throws {
        let socket = try connect(summit.summit())
        _ = try received(socket)
        try send(socket, .ping, [1, 2, 3])
        let pong = try #require(try received(socket).first)
        #expect(pong.opcode == 0xA && pong.payload == [1, 2, 3])
    }

    /// A guest that sends pings and never reads gets no pongs queued for it while its socket is full.
    @Test func pingsFromAListenerThatDoesNotReadPileNothingUp() throws {
        let socket = try connect(summit.summit())
        _ = try received(socket)
        socket.isWritable = false
        for _ in 0..<100 { try send(socket, .ping, [7]) }
        #expect(try received(socket).isEmpty)
        socket.isWritable = true
        try send(socket, .ping, [8])
        #expect(try received(socket).map(\.payload) == [[8]])
    }

    /// A phone that went away without closing stops answering pings: at the second unanswered ping time the
    /// connection is closed with 1001 and the listener leaves the channel.
    @Test func aListenerThatStopsAnsweringPingsIsClosed() throws {
        let event = summit.summit()
        let socket = try connect(event, pingPeriod: .seconds(1))
        _ = try received(socket)
        loop.advanceTime(by: .seconds(1))
        #expect(try received(socket).map(\.opcode) == [0x9])
        loop.advanceTime(by: .seconds(1))
        let close = try #require(try received(socket).first)
        #expect(close.opcode == 0x8 && close.payload.prefix(2) == [0x03, 0xE9])
        #expect(!socket.isActive)
        #expect(event.fanout(.floor)?.listenerCount == 0)
    }

    @Test func aListenerThatAnswersPingsStays() throws {
        let socket = try connect(summit.summit(), pingPeriod: .seconds(1))
        _ = try received(socket)
        for _ in 0..<3 {
            loop.advanceTime(by: .seconds(1))
            let ping = try #require(try received(socket).first)
            #expect(ping.opcode == 0x9)
            try send(socket, .pong, ping.payload)
        }
        #expect(socket.isActive)
    }

    /// The closing handshake: the listener's close frame comes back with its code, then the connection closes.
    @Test func aCloseIsAnsweredWithItsCode() throws {
        let event = summit.summit()
        let socket = try connect(event)
        _ = try received(socket)
        try send(socket, .connectionClose, [0x03, 0xE8] + Array("bye".utf8))
        let close = try #require(try received(socket).first)
        #expect(close.opcode == 0x8 && close.payload == [0x03, 0xE8])
        #expect(!socket.isActive)
        #expect(event.fanout(.floor)?.listenerCount == 0)
    }

    @Test func audioFromAListenerIsRefusedWithTheReason() throws {
        let socket = try connect(summit.summit())
        _ = try received(socket)
        try send(socket, .binary, [0, 1, 2])
        let frames = try received(socket)
        #expect(frames.first?.text?.contains("Listeners cannot send audio") == true)
        #expect(frames.last?.opcode == 0x8)
        #expect(!socket.isActive)
    }

    /// A message over 4 KiB, even in small fragments, is refused and the connection closed; nothing of it is kept.
    @Test func anOversizedMessageIsRefused() throws {
        let socket = try connect(summit.summit())
        _ = try received(socket)
        let chunk = String(repeating: "x", count: 1000)
        try send(socket, text: chunk, fin: false)
        for _ in 0..<4 { try send(socket, text: chunk, fin: false, continuing: true) }
        let frames = try received(socket)
        #expect(frames.first?.text?.contains("at most 4096 bytes; this one had 5000") == true)
        #expect(!socket.isActive)
    }

    @Test func textThatIsNotUTF8ClosesWith1007() throws {
        let socket = try connect(summit.summit())
        _ = try received(socket)
        try send(socket, .text, [0x7B, 0xC3, 0x28, 0x7D])
        let close = try #require(try received(socket).first)
        #expect(close.opcode == 0x8 && close.payload == [0x03, 0xEF])
    }

    /// A wrong request is answered with a non-fatal error; the listener stays on its channel.
    @Test func anUnknownChannelLeavesTheListenerWhereItWas() throws {
        let event = summit.summit()
        let socket = try connect(event)
        _ = try received(socket)
        try send(socket, text: #"{"type":"tune","channel":"fr"}"#)
        let frames = try received(socket)
        #expect(frames.map(\.type) == ["error"])
        #expect(frames.first?.text?.contains(#""fatal":false"#) == true)
        #expect(event.fanout(.floor)?.listenerCount == 1)
        #expect(socket.isActive)
    }

    @Test(
        arguments: [
            ([], nil),
            ([0x03, 0xE8], 1000),
            ([0x0F, 0xA0] + Array("done".utf8), 4000),
            ([0x03], 1002),  // one byte: no code
            ([0x03, 0xED], 1002),  // 1005 is never sent
            ([0x03, 0xE8, 0xC3, 0x28], 1002),  // the reason is not UTF-8
        ] as [([UInt8], Int?)]
    )
    func closeFramesAreAnsweredAsRFC6455Asks(payload: [UInt8], reply: Int?) {
        let code = ListenerConnection.closeReply(to: ByteBuffer(bytes: payload))
        #expect(code.map { Int(UInt16(webSocketErrorCode: $0)) } == reply)
    }
}
