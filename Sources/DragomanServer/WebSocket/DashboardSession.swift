import DragomanCore
import Foundation
import HummingbirdWebSocket
import NIOCore
import NIOWebSocket

/// The organizer dashboard's WebSocket: a snapshot of the event every 500 ms and after every
/// change, chats and signals as they happen; the organizer may chat with a booth and set the
/// floor language.
struct DashboardSession: Sendable {
    static let period: Duration = .milliseconds(500)

    let events: LiveEvents
    let event: LiveEvent
    let sink: ListenerSinkBox
    let links: PublicLinks

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let id = event.attachDashboard(sink, links: links)
        defer { event.detachDashboard(id) }
        let ticker = Task { [event, sink] in
            while !Task.isCancelled {
                event.pushDashboard(to: [sink])
                try await Task.sleep(for: Self.period)
            }
        }
        defer { ticker.cancel() }
        for try await message in inbound.messages(maxSize: 4096) {
            switch message {
            case .text(let text):
                if let error = handle(text), let encoded = try? JSONText.encode(ControlMessages.ErrorMessage(error, fatal: false)) {
                    sink.run { $0.send(text: encoded) }
                }
            case .binary:
                await WebSocketRefusal.refuse(ProtocolError(.forbidden, "The dashboard sends no audio."), outbound: outbound)
                return
            }
        }
    }

    private func handle(_ text: String) -> ProtocolError? {
        let data = Data(text.utf8)
        let decoder = JSONDecoder()
        guard let type = try? decoder.decode(ControlMessages.MessageType.self, from: data) else {
            return ProtocolError(.badMessage, "A control message must be a JSON object with a 'type' field.")
        }
        do {
            switch type.type {
            case "chat":
                guard let request = try? decoder.decode(ControlMessages.ChatRequest.self, from: data) else {
                    return ProtocolError(.badMessage, "A 'chat' message needs 'to' (a booth's language) and 'text'.")
                }
                guard let booth = LanguageTag(request.to) else { return ProtocolError.unknownChannel(request.to, in: event.definition) }
                try event.chatFromOrganizer(to: booth, text: request.text)
            case "floor-language":
                guard let request = try? decoder.decode(ControlMessages.FloorLanguageRequest.self, from: data) else {
                    return ProtocolError(.badMessage, "A 'floor-language' message needs 'language': a language of the event, or null.")
                }
                var language: LanguageTag?
                if let text = request.language {
                    guard let tag = LanguageTag(text), event.definition.languages.contains(tag) else {
                        return ProtocolError(.badRequest, "'\(text)' is not a language of event \(event.definition.code): \(event.definition.languages.map(\.value).joined(separator: ", ")).")
                    }
                    language = tag
                }
                try events.setFloorLanguage(language, of: event, at: WallClock.nowMicros())
            default:
                return ProtocolError(.badMessage, "Unknown message type '\(type.type)'. The dashboard may send: chat, floor-language.")
            }
        } catch let error as ProtocolError {
            return error
        } catch {
            return ProtocolError(.internalError, "\(error)")
        }
        return nil
    }
}
