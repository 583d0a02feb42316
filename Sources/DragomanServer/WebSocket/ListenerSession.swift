import DragomanCore
import Foundation
import HummingbirdWebSocket
import NIOCore
import NIOWebSocket

/// One listener's WebSocket after the upgrade: greets it, puts its sink on the chosen
/// channel, and handles its control messages (channel switches) until it leaves.
struct ListenerSession: Sendable {
    /// The largest message a listener may send.
    static let maximumMessageSize = 4096
    /// Channel switches: a listener flicking through the channels passes; a script does not reach the
    /// booths and dashboards with every switch.
    static let tuneBurst = 10
    static let tunesPerSecond = 2.0

    let event: LiveEvent
    let sink: ListenerSinkBox
    let codec: ControlMessages.Codec
    let startChannel: ChannelID
    /// The connection carries the channel out of the room (an Icecast relay): booths are told.
    var isRelay = false

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let current = CurrentChannel()
        defer { if isRelay, let channel = current.channel { event.countRelay(on: channel, by: -1) } }
        var relayID: ConnectionID?
        if isRelay {
            do {
                relayID = try event.connectRelay(sink: sink)
            } catch {
                await WebSocketRefusal.refuse(error, outbound: outbound)  // it became confidential after the gate
                return
            }
        }
        defer { if let relayID { event.disconnectRelay(relayID) } }
        let welcome = ControlMessages.Welcome(
            event: .init(code: event.definition.code.value, name: event.definition.name, languages: event.definition.languages.map(\.value)),
            channel: startChannel.description,
            codec: codec,
            serverTime: event.clock.nowMicros()
        )
        try await tune(to: startChannel, greeting: try JSONText.encode(welcome), current: current)
        defer { sink.run { $0.join(nil) } }

        for try await message in inbound.messages(maxSize: Self.maximumMessageSize) {
            switch message {
            case .text(let text):
                if await WebSocketRefusal.refuseOversized(text, limit: Self.maximumMessageSize, from: "listener", outbound: outbound) { return }
                try await handle(text, current: current)
            case .binary:
                await WebSocketRefusal.refuse(
                    ProtocolError(.forbidden, "Listeners cannot send audio. To publish the floor, use /ws/floor/{code} with the floor token."),
                    outbound: outbound
                )
                return
            }
        }
    }

    private func handle(_ text: String, current: CurrentChannel) async throws {
        let request: ListenerRequest
        do {
            request = try ListenerRequest(RequestDecoder.fields(of: text))
        } catch {
            try await sendError(error)
            return
        }
        switch request {
        case .tune(let channelText):
            guard current.tunes.allow(at: event.clock.nowMicros()) else {
                event.countRateLimited("tune")
                try await sendError(
                    ProtocolError(
                        .tooMany,
                        "Too many channel switches: at most \(Self.tuneBurst) at once, then \(Int(Self.tunesPerSecond)) a second."
                    )
                )
                return
            }
            guard let channel = ChannelID(channelText), event.definition.has(channel) else {
                try await sendError(ProtocolError.unknownChannel(channelText, in: event.definition))
                return
            }
            try await tune(
                to: channel,
                greeting: try JSONText.encode(ControlMessages.Tuned(channel: channel.description, codec: codec)),
                current: current
            )
        }
    }

    /// Sends the greeting and what the channel carries, then moves the sink onto the channel,
    /// all in one turn of the event loop so no packet of the new channel precedes the greeting.
    private func tune(to channel: ChannelID, greeting: String, current: CurrentChannel) async throws {
        guard let fanout = event.fanout(channel) else {
            try await sendError(ProtocolError.unknownChannel(channel.description, in: event.definition))
            return
        }
        if isRelay {
            if let previous = current.channel { event.countRelay(on: previous, by: -1) }
            event.countRelay(on: channel, by: 1)
        }
        current.channel = channel
        let carrying = try JSONText.encode(event.carrying(channel))
        try await sink.submit { sink in
            sink.send(text: greeting)
            sink.send(text: carrying)
            sink.join(fanout.group(for: sink.eventLoop))
        }
    }

    private func sendError(_ error: ProtocolError) async throws {
        let text = try JSONText.encode(ControlMessages.ErrorMessage(error, fatal: false))
        try await sink.submit { $0.send(text: text) }
    }
}

/// The channel a session is tuned to; only its own task touches it.
private final class CurrentChannel: @unchecked Sendable {
    // @unchecked: read and written only by the session's task, one message after another.
    var channel: ChannelID?
    var tunes = TokenBucket(capacity: ListenerSession.tuneBurst, perSecond: ListenerSession.tunesPerSecond)
}
