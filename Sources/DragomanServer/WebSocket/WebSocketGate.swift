import DragomanCore
import HTTPTypes
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOSSL
import NIOWebSocket

/// Decides what each WebSocket request becomes: a listener, a floor publisher, or a refusal
/// that tells the client why.
struct WebSocketGate: Sendable {
    let events: LiveEvents
    let opusCodec: ControlMessages.Codec
    let bitrate: Int
    let organizerToken: String
    let lockout: CredentialLockout

    func route(_ request: HTTPRequest, channel: any Channel, logger: Logger) async throws -> WebSocketRoute {
        guard let path = request.path, let wsRequest = WebSocketRequest(path: path) else {
            return .notWebSocket
        }
        do {
            return try await lockout.guarding(channel.remoteAddress?.ipAddress ?? "") {
                switch wsRequest.kind {
                case "listen": try await listener(wsRequest, channel: channel)
                case "floor": try floor(wsRequest)
                case "booth": try await booth(wsRequest, channel: channel)
                case "dashboard": try await dashboard(wsRequest, channel: channel)
                default: .notWebSocket
                }
            }
        } catch let error as ProtocolError {
            return .session { _, outbound, _ in await WebSocketRefusal.refuse(error, outbound: outbound) }
        }
    }

    private func listener(_ request: WebSocketRequest, channel: any Channel) async throws -> WebSocketRoute {
        let event = try events.event(named: request.code)
        let definition = event.definition
        guard event.admits(pin: request.query["pin"]) else {
            throw ProtocolError(
                .unauthorized,
                request.query["pin"] == nil
                    ? "Event \(definition.code) needs a PIN: add pin=… to the URL."
                    : "Wrong PIN for event \(definition.code)."
            )
        }
        let channelText = request.query["channel"] ?? "floor"
        guard let channelID = ChannelID(channelText), definition.has(channelID) else {
            throw ProtocolError.unknownChannel(channelText, in: definition)
        }
        let codec: ListenerSink.Codec
        switch request.query["codec"] ?? "opus" {
        case "opus": codec = .opus
        case "pcm": codec = .pcm
        case "none": codec = .none
        case let other: throw ProtocolError(.badRequest, "codec=\(other) is not offered; use opus, pcm, or none (control messages only).")
        }

        let relay: Bool
        switch request.query["role"] ?? "listener" {
        case "listener": relay = false
        case "relay": relay = true
        case let other:
            throw ProtocolError(.badRequest, "role=\(other) is not a role; use listener (the default) or relay (the channel leaves the room).")
        }
        if relay, definition.confidential { throw ProtocolError.confidential(definition, output: "an Icecast relay (role=relay)") }

        let sink = try await Self.installSink(codec: codec, on: channel)
        let setup = ListenerConnection.Setup(
            event: event,
            codec: codec == .opus ? opusCodec : .init(name: codec == .pcm ? "pcm" : "none", opusHead: nil),
            startChannel: channelID,
            isRelay: relay
        )
        return .onEventLoop { channel in
            try channel.pipeline.syncOperations.addHandler(ListenerConnection(setup: setup, sink: sink.sinkOnEventLoop))
        }
    }

    private func floor(_ request: WebSocketRequest) throws -> WebSocketRoute {
        let event = try events.event(named: request.code)
        guard let token = request.query["token"], event.definition.floorToken.matches(token) else {
            throw ProtocolError(
                .unauthorized,
                request.query["token"] == nil
                    ? "Publishing the floor needs the event's floor token: add token=… to the URL."
                    : "Wrong floor token for event \(event.definition.code)."
            )
        }
        let session = FloorSession(event: event, format: try FloorFormat(query: request.query), bitrate: bitrate)
        return .session { inbound, outbound, _ in
            try await session.run(inbound: inbound, outbound: outbound)
        }
    }

    private func booth(_ request: WebSocketRequest, channel: any Channel) async throws -> WebSocketRoute {
        let event = try events.event(named: request.code)
        guard let key = request.query["key"], !key.isEmpty else {
            throw ProtocolError(
                .unauthorized,
                "The console needs an interpreter key: add key=… to the URL (the organizer gives one to each interpreter)."
            )
        }
        guard let interpreter = event.interpreter(forKey: key) else {
            throw ProtocolError(
                .unauthorized,
                "This interpreter key does not open any booth of event \(event.definition.code); ask the organizer for yours."
            )
        }
        if let booth = request.query["booth"], !booth.isEmpty, LanguageTag(booth) != interpreter.booth {
            throw ProtocolError(.wrongBooth, "This key belongs to the \(interpreter.booth) booth, not '\(booth)': each key opens its own booth only.")
        }
        let format = try FloorFormat(query: request.query)
        let sink = try await Self.installSink(codec: .opus, on: channel)
        let session = BoothSession(event: event, interpreter: interpreter, sink: sink, format: format, bitrate: bitrate, codec: opusCodec)
        return .session { inbound, outbound, _ in
            try await session.run(inbound: inbound, outbound: outbound)
        }
    }

    private func dashboard(_ request: WebSocketRequest, channel: any Channel) async throws -> WebSocketRoute {
        let event = try events.event(named: request.code)
        guard let token = request.query["token"], constantTimeEquals(token, organizerToken) else {
            throw ProtocolError(
                .unauthorized,
                request.query["token"] == nil
                    ? "The dashboard needs the organizer token: add token=… to the URL."
                    : "Wrong organizer token."
            )
        }
        let sink = try await Self.installSink(codec: .opus, on: channel)
        let session = DashboardSession(events: events, event: event, sink: sink)
        return .session { inbound, outbound, _ in
            try await session.run(inbound: inbound, outbound: outbound)
        }
    }

    /// Puts a new sink next to the socket: right after TLS if the connection has it, else first.
    /// Its small write buffer and socket buffer bound how much a stalled listener can queue. Nagle stays
    /// off: with frames sent straight to the socket it measured 7 % cheaper per listener-packet than on,
    /// and a packet is never held back for an acknowledgement.
    private static func installSink(codec: ListenerSink.Codec, on channel: any Channel) async throws -> ListenerSinkBox {
        try await channel.eventLoop.submit {
            let options = channel.syncOptions
            try options?.setOption(ChannelOptions.writeBufferWaterMark, value: .init(low: 2048, high: 8192))
            try options?.setOption(ChannelOptions.socketOption(.so_sndbuf), value: 16 * 1024)
            try options?.setOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            let pipeline = channel.pipeline.syncOperations
            let sink: ListenerSink
            if let tls = try? pipeline.handler(type: NIOSSLServerHandler.self) {
                sink = ListenerSink(codec: codec, eventLoop: channel.eventLoop)
                try pipeline.addHandler(sink, position: .after(tls))
            } else {
                sink = ListenerSink(codec: codec, eventLoop: channel.eventLoop, writesDirectly: true)
                try pipeline.addHandler(sink, position: .first)
            }
            return ListenerSinkBox(sink)
        }.get()
    }
}
