public import DragomanAudio
import DragomanCore
import Foundation
import NIOCore

/// Receives the Opus packets of one channel exactly as the server sends them (nothing is
/// decoded or re-encoded) and reconnects with backoff whenever the connection drops.
public struct ChannelPacketFeed: Sendable {
    /// What the feed hands on.
    public enum Event: Sendable {
        /// A connection was accepted; the channel's stream header, from `welcome`.
        case connected(OpusHead)
        /// One 20 ms Opus packet, and when the server received the audio in it (µs since the Unix epoch).
        case packet([UInt8], ingestMicros: UInt64)
    }

    public var server: ServerAddress
    public var event: String
    public var channel: String
    public var pin: String?
    /// Receives one line per change of state, for the technician.
    public var log: @Sendable (String) -> Void

    /// Creates a feed.
    public init(server: ServerAddress, event: String, channel: String, pin: String? = nil, log: @escaping @Sendable (String) -> Void) {
        self.server = server
        self.event = event
        self.channel = channel
        self.pin = pin
        self.log = log
    }

    /// Refusals that retrying cannot cure: the arguments are wrong, the event is gone, or it is confidential
    /// (nothing of it may leave the room until the organizer says otherwise).
    static let permanentRefusals: Set<String> = ["unknown-event", "unknown-channel", "unauthorized", "bad-request", "confidential"]

    /// Receives until cancelled, reconnecting as often as needed.
    ///
    /// - Throws: `ClientError` when the server refuses for good (no such event or channel,
    ///   wrong PIN); `CancellationError` when cancelled.
    public func run(_ deliver: @escaping @Sendable (Event) async -> Void) async throws {
        // role=relay: booths see that their channel leaves the room (ISO 20109 wants interpreters told).
        var query = [("channel", channel), ("codec", "opus"), ("role", "relay")]
        if let pin { query.append(("pin", pin)) }
        let url = server.webSocketURL("/ws/listen/\(event)", query: query)
        var backoff = ReconnectBackoff()
        while true {
            try Task.checkCancellation()
            let started = ContinuousClock.now
            let why: String
            do {
                why = try await receive(from: url, deliver: deliver)
            } catch let refusal as ClientError where refusal.code.map(Self.permanentRefusals.contains) == true {
                throw refusal
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                why = "\(error)"
            }
            try Task.checkCancellation()
            if ContinuousClock.now - started >= ReconnectBackoff.healthyConnection { backoff.reset() }
            let delay = backoff.next()
            log("dragoman: \(why), retrying in \(ReconnectBackoff.describe(delay))")
            try await Task.sleep(for: .seconds(delay))
        }
    }

    /// One connection, until it ends; returns why it ended, in words.
    private func receive(from url: String, deliver: @escaping @Sendable (Event) async -> Void) async throws -> String {
        let connection: WebSocketConnection
        do {
            connection = try await WebSocketConnection.connect(to: url)
        } catch {
            // WebSocketConnection reports only text ("cannot connect to host:port: <NIO's error>");
            // the one failure a technician meets every time the server is down gets plain words.
            let text = "\(error)"
            if text.contains("Connection refused"), let host = server.base.host {
                let port = server.base.port ?? (server.isTLS ? 443 : 80)
                return "cannot connect to \(host):\(port): connection refused: the Dragoman server is not running, or listens on another port"
            }
            return text
        }
        return try await withTaskCancellationHandler {
            do {
                var floorLive: Bool?
                for try await message in connection.messages {
                    switch message {
                    case .text(let text):
                        let data = Data(text.utf8)
                        guard let type = try? JSONDecoder().decode(ControlMessages.MessageType.self, from: data).type else { continue }
                        switch type {
                        case "welcome":
                            let welcome = try JSONDecoder().decode(ControlMessages.Welcome.self, from: data)
                            guard let base64 = welcome.codec.opusHead, let bytes = Data(base64Encoded: base64) else {
                                throw ClientError("the server's welcome has no Opus stream header (codec \(welcome.codec.name))")
                            }
                            let head = try OpusHead(parsing: Array(bytes))
                            log("dragoman: connected to \(server), event \(welcome.event.code), channel \(welcome.channel)")
                            await deliver(.connected(head))
                        case "carrying":
                            // Only changes are worth a line: this message also comes on every routing change.
                            if let carrying = try? JSONDecoder().decode(ControlMessages.CarryingMessage.self, from: data),
                                carrying.floorLive != floorLive
                            {
                                floorLive = carrying.floorLive
                                log(
                                    carrying.floorLive
                                        ? "dragoman: the floor is live" : "dragoman: the floor is not live; Icecast gets silence until it is"
                                )
                            }
                        case "error":
                            if let error = try? JSONDecoder().decode(ControlMessages.ErrorMessage.self, from: data) {
                                let refusal = ClientError(server: error)
                                if error.fatal { throw refusal }
                                log("dragoman: \(refusal)")
                            }
                        case "dropped":
                            log("dragoman: the server dropped packets for this relay: it was not reading fast enough")
                        default:
                            break
                        }
                    case .binary(let buffer):
                        let packets = try buffer.withUnsafeReadableBytes { bytes -> [(AudioPacketHeader, [UInt8])] in
                            try AudioMessage.packets(in: bytes).map { ($0.header, Array(bytes[$0.payload])) }
                        }
                        // Only Opus is forwarded; the relay asks for it, so anything else is a server fault worth skipping, not dying for.
                        for (header, payload) in packets where header.kind == .opus && !payload.isEmpty {
                            await deliver(.packet(payload, ingestMicros: header.ingestMicros))
                        }
                    }
                }
                try Task.checkCancellation()
                if let close = connection.closeFrame, let code = close.code {
                    return "connection lost (the server closed it, code \(code)\(close.reason.isEmpty ? "" : ", \(close.reason)"))"
                }
                return "connection lost"
            } catch {
                // The server ends the connection after its own refusals; this ends it after ours.
                await connection.close(reason: "relay stopped")
                throw error
            }
        } onCancel: {
            Task { await connection.close(reason: "relay stopped") }
        }
    }
}
