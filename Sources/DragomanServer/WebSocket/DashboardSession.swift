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

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let id = event.attachDashboard(sink)
        defer { event.detachDashboard(id) }
        let ticker = Task { [event, sink] in
            var lastSnapshot = ContinuousClock.now
            event.pushDashboard(to: sink)
            while !Task.isCancelled {
                try await Task.sleep(for: LiveEvent.refreshPeriod)
                event.flushRefreshes()
                if ContinuousClock.now - lastSnapshot >= Self.period {
                    lastSnapshot = .now
                    event.pushDashboard(to: sink)
                }
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

    /// Carries out one request; returns the error to send back, if it was refused.
    private func handle(_ text: String) -> ProtocolError? {
        do {
            switch try DashboardRequest(RequestDecoder.fields(of: text)) {
            case .chat(let to, let text):
                guard let booth = LanguageTag(to) else { return ProtocolError.unknownChannel(to, in: event.definition) }
                try event.chatFromOrganizer(to: booth, text: text)
            case .floorLanguage(let text):
                let definition = event.definition
                var language: LanguageTag?
                if let text {
                    guard let tag = LanguageTag(text), definition.languages.contains(tag) else {
                        return ProtocolError(
                            .badRequest,
                            "'\(text)' is not a language of event \(definition.code): \(definition.languages.map(\.value).joined(separator: ", "))."
                        )
                    }
                    language = tag
                }
                try events.setFloorLanguage(language, of: event, at: event.clock.nowMicros())
            }
        } catch let error as ProtocolError {
            return error
        } catch {
            return ProtocolError(.internalError, "\(error)")
        }
        return nil
    }
}
